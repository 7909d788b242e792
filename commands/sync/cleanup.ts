import { z } from 'zod';
import { syncPipelines } from '../../src/pipelines/sync/tables.js';
import { failOrphanedRuns, finishRun, listRuns, type Run } from '../../src/state/runs.js';
import { isProcessAlive } from '../../src/util/process.js';
import { defineOperation } from '../operation.js';

export interface SyncCleanupResult {
  /** Runs left "running" by a process that is gone, now failed. */
  failed: Run[];
  /** Runs still running with a live process: left alone. */
  stillRunning: Run[];
}

/**
 * `sync cleanup`: runs of sync pipelines left "running" by a dead process (kill -9, a crash, a reboot) become failed
 * with the reason. Their target transactions were rolled back by the server and their watermarks never moved, so the
 * next run reloads the same window; nothing else needs repairing. Locks of dead holders are taken over on the next run.
 */
export const syncCleanup = defineOperation({
  name: 'sync.cleanup',
  summary: 'Mark sync runs left running by a dead process as failed',
  input: z.object({ staleAfterMs: z.number().int().min(1000).optional() }),
  async run(ctx, input): Promise<SyncCleanupResult> {
    const store = await ctx.state();
    const failed = await failOrphanedRuns(store, {
      operation: 'sync.run',
      ...(input.staleAfterMs ? { staleAfterMs: input.staleAfterMs } : {}),
    });
    // `etl run` runs the syncs too: its runs of a sync pipeline are cleaned here as well.
    const syncs = new Set(syncPipelines(ctx.config).map(([n]) => n));
    const staleBefore = Date.now() - (input.staleAfterMs ?? 15 * 60_000);
    for (const run of await listRuns(store, { status: 'running', operation: 'etl.run', limit: 1000 })) {
      if (!run.pipeline || !syncs.has(run.pipeline)) continue;
      const alive = isProcessAlive({ host: run.host, pid: run.pid, start: null });
      const heartbeat = new Date(run.heartbeatAt ?? run.startedAt).getTime();
      if (alive === false || (alive === undefined && heartbeat < staleBefore)) {
        failed.push(
          await finishRun(store, run.id, {
            status: 'failed',
            error:
              alive === false
                ? `process ${run.pid} on ${run.host} exited without finishing the run`
                : `no heartbeat from ${run.host} since ${run.heartbeatAt ?? run.startedAt}`,
          }),
        );
      }
    }
    const stillRunning = (await listRuns(store, { status: 'running', limit: 1000 })).filter(
      (r) => r.pipeline && syncs.has(r.pipeline),
    );
    return { failed, stillRunning };
  },
});
