import { z } from 'zod';
import { syncPipelines } from '../../src/pipelines/sync/tables.js';
import { failOrphanedRuns, listRuns, type Run } from '../../src/state/runs.js';
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
    // Sync runs, and `etl run`'s runs of a sync pipeline: every run of these pipelines whose process is gone.
    const syncs = new Set(syncPipelines(ctx.config).map(([n]) => n));
    const options = input.staleAfterMs ? { staleAfterMs: input.staleAfterMs } : {};
    const failed = await failOrphanedRuns(store, { operation: 'sync.run', ...options });
    for (const pipeline of syncs) failed.push(...(await failOrphanedRuns(store, { pipeline, ...options })));
    const stillRunning = (await listRuns(store, { status: 'running', limit: 1000 })).filter(
      (r) => r.pipeline && syncs.has(r.pipeline),
    );
    return { failed, stillRunning };
  },
});
