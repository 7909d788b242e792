import { z } from 'zod';
import { CancelledError, errorMessage, isOpsError, LockHeldError, UsageError } from '../../src/errors.js';
import { executePipeline } from '../../src/pipelines/execute.js';
import type { PipelineConfig, PipelineOutcome } from '../../src/pipelines/types.js';
import type { LockHolder } from '../../src/state/locks.js';
import { pruneState, type PruneCount, type StateRetentionPolicy } from '../../src/state/retention.js';
import { failOrphanedRuns, listRuns } from '../../src/state/runs.js';
import type { StateStore } from '../../src/state/store.js';
import type { Logger } from '../../src/log/logger.js';
import { defineOperation } from '../operation.js';
import { toRunListItem, type RunListItem } from './summary.js';

export const etlRunInput = z.strictObject({
  /** Pipeline names from config; none means every enabled pipeline, in config order. */
  pipelines: z.array(z.string().min(1)).optional(),
  /** Extract and validate without loading, quarantining or advancing watermarks. */
  dryRun: z.boolean().optional(),
});

export interface EtlRunExecution {
  pipeline: string;
  kind: PipelineConfig['kind'];
  /** `locked`: another run holds the pipeline's lock (see `holder`); `skipped`: the pipeline is disabled. */
  status: 'succeeded' | 'failed' | 'locked' | 'skipped';
  run: RunListItem | null;
  outcome?: PipelineOutcome;
  error?: string;
  hint?: string;
  holder?: LockHolder;
}

export interface EtlRunResult {
  ok: boolean;
  dryRun: boolean;
  executions: EtlRunExecution[];
  /** One line per pipeline that did not succeed, for stderr and alerts. */
  failures: string[];
  /** Runs of killed processes found still marked running and closed as failed before starting. */
  orphansClosed: number;
  /** Rows state.retention pruned after the run, per table (absent on a dry run, or when pruning failed: logged). */
  pruned?: PruneCount[];
}

/**
 * Runs the configured pipelines one after another, whatever their kind (the registry has a runner per kind), each
 * through executePipeline: the pipeline's lock, a run record, per-table counts. A pipeline that fails or is locked
 * does not stop the next one; the result says which did not succeed and `ok` is false.
 */
export const etlRun = defineOperation({
  name: 'etl.run',
  summary: 'Run the configured pipelines (Spotify → warehouse, warehouse → database sync)',
  input: etlRunInput,
  async run(ctx, input): Promise<EtlRunResult> {
    const configured = ctx.config.pipelines;
    const names = Object.keys(configured);
    if (names.length === 0) {
      throw new UsageError('no pipelines are configured', {
        hint: 'Add one under "pipelines" in opsctl.config.json, e.g. { "spotify": { "kind": "spotify" } }.',
      });
    }
    const unknown = (input.pipelines ?? []).filter((n) => !(n in configured));
    if (unknown.length) {
      throw new UsageError(`unknown pipeline${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`, {
        hint: `Configured pipelines: ${names.join(', ')}.`,
      });
    }
    const selected = input.pipelines?.length ? [...new Set(input.pipelines)] : names;
    const dryRun = input.dryRun ?? false;
    const store = await ctx.state();
    const orphans = await failOrphanedRuns(store, { operation: 'etl.run' });
    for (const o of orphans)
      ctx.log.warn('closed an orphaned run', { runId: o.id, pipeline: o.pipeline, reason: o.error });

    const executions: EtlRunExecution[] = [];
    for (const name of selected) {
      const pipeline = configured[name]!;
      if (!pipeline.enabled) {
        executions.push({
          pipeline: name,
          kind: pipeline.kind,
          status: 'skipped',
          run: null,
          error: 'disabled in config',
        });
        continue;
      }
      if (ctx.signal.aborted)
        throw new CancelledError('cancelled before pipeline ' + name, {
          hint: 'Re-run the pipelines that did not run.',
        });
      ctx.progress({ phase: `pipeline ${name}`, note: pipeline.kind });
      const log = ctx.log.child({ pipeline: name });
      try {
        const done = await executePipeline({ ...ctx, log }, name, pipeline, { dryRun, operation: 'etl.run' });
        executions.push({
          pipeline: name,
          kind: pipeline.kind,
          status: 'succeeded',
          run: toRunListItem(done.run),
          ...(done.outcome ? { outcome: done.outcome } : {}),
        });
        log.info('pipeline finished', { runId: done.run.id, durationMs: done.run.durationMs });
      } catch (error) {
        if (error instanceof CancelledError || ctx.signal.aborted) throw error;
        const hint = isOpsError(error) ? error.hint : undefined;
        if (error instanceof LockHeldError) {
          executions.push({
            pipeline: name,
            kind: pipeline.kind,
            status: 'locked',
            run: null,
            error: error.message,
            ...(hint ? { hint } : {}),
            holder: error.details?.lock as LockHolder,
          });
          continue;
        }
        const latest = (await listRuns(store, { pipeline: name, limit: 1 }))[0];
        const partial = (error as { partialOutcome?: PipelineOutcome }).partialOutcome;
        executions.push({
          pipeline: name,
          kind: pipeline.kind,
          status: 'failed',
          run: latest && latest.status === 'failed' ? toRunListItem(latest) : null,
          ...(partial ? { outcome: partial } : {}),
          error: errorMessage(error),
          ...(hint ? { hint } : {}),
        });
        log.error('pipeline failed', { error: errorMessage(error) });
      }
    }
    const failures = executions
      .filter((e) => e.status === 'failed' || e.status === 'locked')
      .map((e) =>
        `pipeline ${e.pipeline} ${e.status === 'locked' ? 'not started' : 'failed'}${e.run ? ` (run ${e.run.id})` : ''}: ${e.error ?? 'unknown error'}`.replace(
          /\s*\n\s*/g,
          ' ',
        ),
      );
    const pruned = dryRun ? undefined : await applyRetention(store, ctx.config.state.retention, ctx.log);
    return {
      ok: failures.length === 0,
      dryRun,
      executions,
      failures,
      orphansClosed: orphans.length,
      ...(pruned ? { pruned } : {}),
    };
  },
});

/** state.retention after the pipelines: a failure to prune is logged, never the run's failure. */
async function applyRetention(
  store: StateStore,
  policy: StateRetentionPolicy,
  log: Logger,
): Promise<PruneCount[] | undefined> {
  try {
    const { counts } = await pruneState(store, policy);
    const deleted = counts.filter((c) => c.rows > 0);
    if (deleted.length) log.info('state retention pruned', Object.fromEntries(deleted.map((c) => [c.table, c.rows])));
    return counts;
  } catch (error) {
    log.warn('state retention failed; the next run tries again', { error: errorMessage(error) });
    return undefined;
  }
}
