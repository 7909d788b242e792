import type { InputFor, OperationName, ResultFor } from '../../../commands/catalog.js';
import type { AlertSourceName } from '../../config/sections/bot.js';
import { isOpsError, ThresholdBreached } from '../../errors.js';
import { duration } from '../../format.js';
import { num as toNum } from '../../state/json.js';
import { latestFinishedRuns } from '../../state/run-stats.js';
import { levelKey, levelText } from '../commands/costs.js';
import { lagText, watermarkName } from '../commands/watermarks.js';
import { healthSource } from './health.js';
import type { AlertContext, AlertSource, GaugeSample, Incident } from './types.js';

interface LatestRunRow {
  id: number;
  operation: string;
  pipeline: string | null;
  trigger: string;
  finished_at: string | null;
  error: string | null;
}

/**
 * A run failed: open while the newest finished run of an operation/pipeline failed, cleared by the next one that
 * succeeds (a cancelled run changes nothing). Reads the runs table.
 */
export const runFailedSource: AlertSource = {
  name: 'run-failed',
  async check({ runtime }) {
    const store = await runtime.state();
    const latest = await latestFinishedRuns<LatestRunRow & { status: string }>(
      store,
      'r.id, r.operation, r.pipeline, r.trigger, r.status, r.finished_at, r.error',
    );
    const rows = latest.filter((r) => r.status === 'failed').sort((a, b) => toNum(a.id) - toNum(b.id));
    return {
      incidents: rows.map((r) => ({
        key: `${r.operation}:${r.pipeline ?? ''}`,
        title: `Run failed: ${r.operation}${r.pipeline ? ` ${r.pipeline}` : ''}`,
        text: `run #${toNum(r.id)} (${r.trigger})${r.finished_at ? ` at ${r.finished_at.slice(0, 16).replace('T', ' ')} UTC` : ''}: ${(r.error ?? 'no error recorded').slice(0, 300)}`,
      })),
    };
  },
};

/** Runs a check and reads a ThresholdBreached error (a check that "exits 1") as the incident, not as a failed source. */
async function readCheck<N extends OperationName>(
  ctx: AlertContext,
  operation: N,
  input: InputFor<N>,
): Promise<{ result: ResultFor<N> } | { breach: ThresholdBreached }> {
  try {
    return { result: await ctx.invoke(operation, input) };
  } catch (error) {
    if (error instanceof ThresholdBreached) return { breach: error };
    throw error;
  }
}

/** A cost level crossed (50 %, 90 %, 100 % of the free tier or the budget), from `costs.check`; each level once. */
export const costLevelSource: AlertSource = {
  name: 'cost-level',
  metrics: ['opsctl_cost_usd'],
  async check(ctx) {
    const read = await readCheck(ctx, 'costs.check', {});
    if ('breach' in read)
      return { incidents: [{ key: 'cost', title: 'Cost level crossed', text: read.breach.message }] };
    const { result } = read;
    const incidents: Incident[] = result.levelsCrossed.map((l) => ({
      key: levelKey(l),
      title: 'Cost level crossed',
      text: levelText(l, result),
    }));
    const gauges: GaugeSample[] = [
      { metric: 'opsctl_cost_usd', labels: { period: 'month_to_date' }, value: result.monthToDateUsd },
      { metric: 'opsctl_cost_usd', labels: { period: 'projected_month' }, value: result.projectedUsd },
    ];
    return { incidents, gauges };
  },
};

/** The newest verified backup of a target is older than backups.maxAgeHours (or there is none), from `backup.freshness`. */
export const backupAgeSource: AlertSource = {
  name: 'backup-age',
  metrics: ['opsctl_backup_newest_age_seconds'],
  async check(ctx) {
    const read = await readCheck(ctx, 'backup.freshness', {});
    if ('breach' in read)
      return { incidents: [{ key: 'backups', title: 'Backup too old', text: read.breach.message }] };
    const { result } = read;
    const incidents: Incident[] = [];
    const gauges: GaugeSample[] = [];
    for (const t of result.targets) {
      if (t.ageSeconds !== null)
        gauges.push({
          metric: 'opsctl_backup_newest_age_seconds',
          labels: { target: t.target },
          value: Math.round(t.ageSeconds),
        });
      if (!t.stale) continue;
      incidents.push({
        key: t.target,
        title: `Backup too old: ${t.target}`,
        text:
          t.ageSeconds === null
            ? t.reason
            : `newest verified backup is ${duration(t.ageSeconds * 1000)} old (limit ${t.maxAgeHours}h)`,
      });
    }
    return { incidents, gauges };
  },
};

/** A sync watermark lags beyond its limit, from `watermarks.list`. */
export const watermarkLagSource: AlertSource = {
  name: 'watermark-lag',
  metrics: ['opsctl_watermark_lag_seconds'],
  async check(ctx) {
    const { watermarks } = await ctx.invoke('watermarks.list', {});
    return {
      incidents: watermarks
        .filter((w) => w.lagging)
        .map((w) => ({
          key: watermarkName(w),
          title: `Watermark lagging: ${watermarkName(w)}`,
          text: `${lagText(w) ?? 'lagging'}; watermark ${w.value ?? '(none)'}`,
        })),
      gauges: watermarks.flatMap((w) =>
        w.lagSeconds === null
          ? []
          : [
              {
                metric: 'opsctl_watermark_lag_seconds' as const,
                labels: { pipeline: w.pipeline, table: w.table },
                value: Math.round(w.lagSeconds),
              },
            ],
      ),
    };
  },
};

export const ALERT_SOURCE_BY_NAME: Record<AlertSourceName, AlertSource> = {
  'run-failed': runFailedSource,
  'cost-level': costLevelSource,
  'backup-age': backupAgeSource,
  'watermark-lag': watermarkLagSource,
  health: healthSource,
};

export function describeSourceError(error: unknown): string {
  return isOpsError(error) && error.hint
    ? `${error.message} (${error.hint})`
    : error instanceof Error
      ? error.message
      : String(error);
}
