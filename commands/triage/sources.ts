import { listBackups } from '../../src/backups/catalog.js';
import { monthWindow } from '../../src/costs/month.js';
import { newestSnapshotAt, snapshotLevels } from '../../src/costs/store.js';
import { ago, duration, percent, plural, usd } from '../../src/format.js';
import type { ComponentHealth } from '../../src/health/types.js';
import { listRuns as listLoadRuns } from '../../src/loadtest/store.js';
import { quarantineGrowth } from '../../src/state/quarantine.js';
import { listRuns, pipelineRunStreak } from '../../src/state/runs.js';
import { run } from '../catalog.js';
import type { OperationContext } from '../operation.js';
import { thresholds } from './thresholds.js';
import type { TriageItem } from './types.js';

/** One kind of problem: reads what it needs (indexed windows of the state store, or another operation) and says what is wrong. */
export interface TriageSource {
  name: string;
  collect(ctx: OperationContext, env: { components: ComponentHealth[]; now: Date }): Promise<TriageItem[]>;
}

/** Components of the health registry that are down (the bot apart: its own item), or busy. */
const components: TriageSource = {
  name: 'components',
  async collect(ctx, { components }) {
    return components
      .filter((c) => c.status === 'down' || c.status === 'busy')
      .map((c) => {
        const bot = c.group === 'bot';
        // A service says how bad its being down is (services.<name>.severity; the demo's own is a warning).
        const down = c.group === 'service' ? (ctx.config.services[c.name]?.severity ?? 'critical') : 'critical';
        return {
          id: `${bot ? 'bot' : 'component'}:${c.id}`,
          severity: c.status === 'down' ? down : 'warning',
          kind: bot ? 'bot' : 'component',
          pane: 'overview',
          subject: c.id,
          title: `${c.label} ${c.status}`,
          detail: [c.error, c.hint].filter(Boolean).join(' — ') || c.status,
          since: null,
          command: bot
            ? 'opsctl bot health'
            : c.group === 'service'
              ? `opsctl health --service ${c.name}`
              : `opsctl status${c.group === 'target' ? ` --target ${c.name}` : ''}`,
        } satisfies TriageItem;
      });
  },
};

/** Pipelines whose newest finished run failed, with the failures since the last success. */
const failedPipelines: TriageSource = {
  name: 'runs',
  async collect(ctx) {
    const store = await ctx.state();
    const items: TriageItem[] = [];
    for (const name of Object.keys(ctx.config.pipelines)) {
      const s = await pipelineRunStreak(store, name);
      if (!s.last || s.last.status !== 'failed') continue;
      const n = `${s.failuresSinceSuccess}${s.capped ? '+' : ''}`;
      items.push({
        id: `run-failed:${name}`,
        severity: 'critical',
        kind: 'run-failed',
        pane: 'runs',
        subject: String(s.last.id),
        title: `pipeline ${name}: last run #${s.last.id} failed`,
        detail: `${n} failure${n === '1' ? '' : 's'} since ${s.lastSuccessAt ? `the last success (${s.lastSuccessAt.slice(0, 16).replace('T', ' ')})` : 'the first run (never succeeded)'}: ${(s.last.error ?? 'no error recorded').replace(/\s+/g, ' ').slice(0, 200)}`,
        since: s.failingSince,
        command: `opsctl etl show ${s.last.id}`,
        count: s.failuresSinceSuccess,
      });
    }
    return items;
  },
};

/** Runs stored as running whose process is provably gone (the state store's read model says which). */
const orphanedRuns: TriageSource = {
  name: 'orphaned',
  async collect(ctx) {
    const runs = await listRuns(await ctx.state(), { status: 'orphaned', limit: 50 });
    return runs.map((r) => ({
      id: `orphaned:${r.id}`,
      severity: 'warning',
      kind: 'run-orphaned',
      pane: 'runs',
      subject: String(r.id),
      title: `run #${r.id} (${r.operation}${r.pipeline ? ` ${r.pipeline}` : ''}) orphaned`,
      detail: `${r.orphanReason ?? ''}; the next run of ${r.pipeline ?? r.operation} closes it as failed`,
      since: r.startedAt,
      command: `opsctl etl show ${r.id}`,
    }));
  },
};

/** Sync watermarks lagging beyond their max_lag. */
const watermarks: TriageSource = {
  name: 'watermarks',
  async collect(ctx) {
    if (!Object.values(ctx.config.pipelines).some((p) => p.kind === 'sync')) return [];
    const { watermarks } = await run('watermarks.list', ctx, {});
    return watermarks
      .filter((w) => w.lagging)
      .map((w) => ({
        id: `watermark-lag:${w.pipeline}/${w.table}`,
        severity: 'warning',
        kind: 'watermark-lag',
        pane: 'watermarks',
        subject: `${w.pipeline}/${w.table}`,
        title: `watermark ${w.pipeline}/${w.table} lags`,
        detail:
          w.lagSeconds === null
            ? `no watermark yet (limit ${duration((w.limitSeconds ?? 0) * 1000)})`
            : `${duration(w.lagSeconds * 1000)} behind now, limit ${duration((w.limitSeconds ?? 0) * 1000)}`,
        since: w.updatedAt,
        command: `opsctl sync run --table ${w.pipeline}/${w.table}`,
      }));
  },
};

/** Records quarantined in the last day, per pipeline and table. */
const quarantine: TriageSource = {
  name: 'quarantine',
  async collect(ctx, { now }) {
    const growth = await quarantineGrowth(await ctx.state(), new Date(now.getTime() - 86_400_000));
    return growth.map((g) => ({
      id: `quarantine:${g.pipeline}/${g.table}`,
      severity: 'warning',
      kind: 'quarantine',
      pane: 'runs',
      subject: `${g.pipeline}/${g.table}`,
      title: `${plural(g.count, 'record')} quarantined in ${g.pipeline}/${g.table} in the last 24 h`,
      detail: `newest at ${g.lastAt.slice(0, 16).replace('T', ' ')}`,
      since: g.firstAt,
      command: `opsctl quarantine list --pipeline ${g.pipeline} --table ${g.table}`,
      count: g.count,
    }));
  },
};

/** A BigQuery cost snapshot older than this is a blind spot worth a warning (cron takes one a day). */
const COST_SNAPSHOT_STALE_MS = 2 * 86_400_000;

/**
 * Cost levels the month's projection crosses; a breach of costs.failAtPercent is critical. Read from the levels stored
 * with this month's cost snapshots (every `costs` report, check and snapshot saves one, the bot's alerts every round,
 * cron daily), not from `costs.check`, which opens the warehouse (DuckDB: 1.3 s) on every `status`. Since when: the
 * first snapshot this month at or above the level. On BigQuery a missing or stale snapshot is itself a warning.
 */
const costs: TriageSource = {
  name: 'costs',
  async collect(ctx, { now }) {
    const store = await ctx.state();
    const warehouse = ctx.config.warehouse.kind;
    const month = await snapshotLevels(store, warehouse, monthWindow(now).start);
    const latest = month.at(-1);
    const items: TriageItem[] = [];
    const takenAt = latest?.takenAt ?? (await newestSnapshotAt(store, warehouse));
    if (warehouse === 'bigquery' && (!takenAt || now.getTime() - Date.parse(takenAt) > COST_SNAPSHOT_STALE_MS))
      items.push({
        id: 'cost-stale',
        severity: 'warning',
        kind: 'cost',
        pane: 'costs',
        subject: 'snapshot',
        title: takenAt ? `costs last checked ${ago(takenAt, now.getTime())}` : 'costs never checked',
        detail: 'the levels below come from the newest cost snapshot; cron takes one a day (costs snapshot)',
        since: takenAt,
        command: 'opsctl costs snapshot',
      });
    if (!latest) return items;
    const failAt = ctx.config.costs.failAtPercent;
    // The highest crossed level per subject says it all.
    const top = new Map<string, (typeof latest.levels)[number]>();
    for (const l of latest.levels) if (l.crossed && (top.get(l.subject)?.level ?? -1) < l.level) top.set(l.subject, l);
    for (const l of top.values()) {
      const since = month.find((s) => s.levels.some((x) => x.subject === l.subject && x.crossed && x.level >= l.level));
      items.push({
        id: `cost:${l.subject}`,
        severity: l.percent >= failAt ? 'critical' : 'warning',
        kind: 'cost',
        pane: 'costs',
        subject: l.subject,
        title: `${l.subject} projected at ${percent(l.percent)} this month (level ${l.level} %)`,
        detail: `month to date ${usd(latest.mtdUsd)}, projected ${usd(latest.projectedUsd)}${latest.budgetUsd ? ` of ${usd(latest.budgetUsd)}` : ''} (as of ${latest.takenAt.slice(0, 16).replace('T', ' ')})`,
        since: since?.takenAt ?? latest.takenAt,
        command: 'opsctl costs report',
      });
    }
    return items;
  },
};

/** Backups older than the freshness limit, never verified, or whose last verify failed. */
const backups: TriageSource = {
  name: 'backups',
  async collect(ctx) {
    if (Object.keys(ctx.config.targets).length === 0) return [];
    const fresh = await run('backup.freshness', ctx, {});
    const store = await ctx.state();
    const items: TriageItem[] = [];
    for (const t of fresh.targets) {
      if (t.absent) continue;
      const newest = (await listBackups(store, { target: t.target }))[0];
      if (newest?.verifyStatus === 'failed') {
        items.push({
          id: `backup-verify:${t.target}`,
          severity: 'critical',
          kind: 'backup',
          pane: 'backups',
          subject: newest.id,
          title: `backup ${newest.id} of ${t.target}: last verify failed`,
          detail: (newest.verifyError ?? 'no error recorded').slice(0, 200),
          since: newest.verifiedAt,
          command: `opsctl backup verify ${newest.id}`,
        });
      }
      if (!t.stale) continue;
      const never = t.newestVerifiedAt === null;
      items.push({
        id: `backup-age:${t.target}`,
        severity: never ? 'warning' : 'critical',
        kind: 'backup',
        pane: 'backups',
        subject: newest?.id ?? t.target,
        title: never
          ? `${t.target}: ${newest ? 'no backup verified' : 'never backed up'}`
          : `${t.target}: newest verified backup older than ${t.maxAgeHours} h`,
        detail: t.reason,
        since: t.newestVerifiedAt ?? t.newestAt,
        command: newest && never ? `opsctl backup verify ${newest.id}` : `opsctl backup create ${t.target}`,
      });
    }
    return items;
  },
};

/** Migrations: dirty (critical), drifted or pending (warning), per target. */
const migrations: TriageSource = {
  name: 'migrations',
  async collect(ctx) {
    if (Object.keys(ctx.config.targets).length === 0) return [];
    const status = await run('migrate.status', ctx, {});
    const items: TriageItem[] = [];
    for (const t of status.targets) {
      if (t.error) continue; // the target's component says it is down
      const base = { kind: 'migration', pane: 'migrations', subject: t.target } as const;
      if (t.dirty)
        items.push({
          ...base,
          id: `migration-dirty:${t.target}`,
          severity: 'critical',
          title: `${t.target}: migration ${t.dirty.version} is dirty`,
          detail: 'a migration failed half-applied; repair it before applying more',
          since: null,
          command: `opsctl migrate repair ${t.target}`,
        });
      if (t.drifted.length)
        items.push({
          ...base,
          id: `migration-drift:${t.target}`,
          severity: 'warning',
          title: `${t.target}: ${plural(t.drifted.length, 'applied migration')} changed on disk`,
          detail: t.drifted.map((m) => m.version).join(', '),
          since: null,
          command: `opsctl migrate status --target ${t.target}`,
          count: t.drifted.length,
        });
      if (t.pending.length)
        items.push({
          ...base,
          id: `migration-pending:${t.target}`,
          severity: 'warning',
          title: `${t.target}: ${plural(t.pending.length, 'pending migration')}`,
          detail: t.pending.map((m) => m.version).join(', '),
          since: null,
          command: `opsctl migrate up ${t.target}`,
          count: t.pending.length,
        });
    }
    return items;
  },
};

/** A regression: p95 up by more than this share, or req/s down by more, against the run before. */
const REGRESSION = 0.2;

/** The last load test of each gated profile: breached its thresholds (critical) or regressed from the run before. */
const loadtests: TriageSource = {
  name: 'loadtests',
  async collect(ctx) {
    const gated = Object.entries(ctx.config.loadtest.profiles).filter(([, p]) => p.gate);
    if (gated.length === 0) return [];
    const store = await ctx.state();
    const items: TriageItem[] = [];
    for (const [name] of gated) {
      const [last, previous] = await listLoadRuns(store, { profile: name, limit: 2 });
      if (!last) continue;
      const base = { kind: 'loadtest', pane: 'loadtests', subject: String(last.id), since: last.startedAt } as const;
      if (!last.passed) {
        const breached = last.thresholds.filter((t) => !t.passed).map((t) => t.message);
        items.push({
          ...base,
          id: `loadtest-breach:${name}`,
          severity: 'critical',
          title: `load test ${name}: last run #${last.id} breached its thresholds`,
          detail: breached.join(', ') || 'failed',
          command: `opsctl loadtest compare ${last.id}`,
        });
        continue;
      }
      if (!previous) continue;
      const p95Up = previous.latency.p95 > 0 ? last.latency.p95 / previous.latency.p95 - 1 : 0;
      const rpsDown = previous.rps > 0 ? 1 - last.rps / previous.rps : 0;
      if (p95Up > REGRESSION || rpsDown > REGRESSION)
        items.push({
          ...base,
          id: `loadtest-regress:${name}`,
          severity: 'warning',
          title: `load test ${name}: run #${last.id} regressed from #${previous.id}`,
          detail: `p95 ${p95Up >= 0 ? '+' : ''}${percent(p95Up * 100)}, req/s ${rpsDown > 0 ? '-' : '+'}${percent(Math.abs(rpsDown) * 100)}`,
          command: `opsctl loadtest compare ${last.id}`,
        });
    }
    return items;
  },
};

/** Every source, in the order the board ranks equal severities. */
export const TRIAGE_SOURCES: TriageSource[] = [
  components,
  thresholds,
  failedPipelines,
  backups,
  migrations,
  loadtests,
  costs,
  watermarks,
  orphanedRuns,
  quarantine,
];
