import { CancelledError, UsageError } from '../errors.js';
import { logExecution } from '../state/execution-log.js';
import { withLock } from '../state/locks.js';
import { finishRun, heartbeatRun, startRun, type Run } from '../state/runs.js';
import { PIPELINE_RUNNERS } from './registry.js';
import type { PipelineConfig, PipelineContext, PipelineOutcome, PipelineRunOptions } from './types.js';

export interface PipelineExecution {
  pipeline: string;
  kind: PipelineConfig['kind'];
  run: Run;
  outcome?: PipelineOutcome;
  error?: string;
}

/**
 * One pipeline run, the same from `etl run`, `sync run`, the console and the bot: take the pipeline's lock (a second
 * run exits at once naming the holder), record the run, call the kind's runner, log each table's counts, and record
 * the outcome. A failed runner marks the run failed and rethrows; a cancelled one marks it cancelled.
 */
export async function executePipeline(
  ctx: PipelineContext,
  name: string,
  pipeline: PipelineConfig,
  options: Omit<PipelineRunOptions, 'runId'> & { operation?: string },
): Promise<PipelineExecution> {
  const loadRunner = PIPELINE_RUNNERS[pipeline.kind];
  if (!loadRunner) {
    throw new UsageError(`pipeline "${name}" is of kind "${pipeline.kind}", which this build of opsctl cannot run`, {
      hint: `Remove pipelines.${name} from the config or upgrade opsctl.`,
    });
  }
  const runner = await loadRunner();
  const store = await ctx.state();
  const operation = options.operation ?? 'etl.run';
  return withLock(store, `pipeline:${name}`, { operation, what: `pipeline ${name}` }, async () => {
    const run = await startRun(store, {
      operation,
      pipeline: name,
      trigger: ctx.trigger,
      summary: { kind: pipeline.kind, dryRun: options.dryRun },
    });
    const heartbeat = setInterval(() => void heartbeatRun(store, run.id).catch(() => undefined), 15_000);
    heartbeat.unref();
    const startedAt = new Date().toISOString();
    const logTables = async (outcome: PipelineOutcome, tablesStartedAt: string) => {
      const finishedAt = new Date().toISOString();
      for (const t of outcome.tables) {
        await logExecution(store, {
          runId: run.id,
          pipeline: name,
          table: t.table,
          status: t.status,
          rowsExtracted: t.extracted,
          rowsLoaded: t.loaded,
          rowsRejected: t.rejected,
          watermarkBefore: t.watermarkBefore ?? null,
          watermarkAfter: t.watermarkAfter ?? null,
          startedAt: tablesStartedAt,
          finishedAt,
          error: t.status === 'failed' || t.status === 'unavailable' ? (t.reason ?? null) : null,
          details: t.durationMs === undefined ? null : { durationMs: t.durationMs },
        });
      }
    };
    try {
      const outcome = await runner(ctx, name, pipeline, { ...options, runId: run.id });
      await logTables(outcome, startedAt);
      const finished = await finishRun(store, run.id, {
        status: 'succeeded',
        summary: { kind: pipeline.kind, dryRun: options.dryRun, ...outcome },
      });
      return { pipeline: name, kind: pipeline.kind, run: finished, outcome };
    } catch (error) {
      const cancelled = error instanceof CancelledError || ctx.signal.aborted;
      // A runner may attach what it finished before failing (`partialOutcome`): those tables' counts are kept too.
      const partial = (error as { partialOutcome?: PipelineOutcome } | null)?.partialOutcome;
      if (partial) await logTables(partial, startedAt).catch(() => undefined);
      await finishRun(store, run.id, {
        status: cancelled ? 'cancelled' : 'failed',
        error: (error as Error).message,
        ...(partial ? { summary: { kind: pipeline.kind, dryRun: options.dryRun, ...partial } } : {}),
      }).catch(() => undefined);
      throw error;
    } finally {
      clearInterval(heartbeat);
    }
  });
}
