import { z } from 'zod';
import { selectSyncTables } from '../../src/pipelines/sync/tables.js';
import { listLocks, type LockHolder } from '../../src/state/locks.js';
import { listOpenRuns, type Run } from '../../src/state/runs.js';
import { defineOperation } from '../operation.js';
import { tableStatuses, type SyncTableStatus } from '../../src/pipelines/sync/status.js';

export interface SyncStatusResult {
  tables: SyncTableStatus[];
  /** Sync pipelines running now (their lock holders). */
  running: LockHolder[];
  /** Runs of these pipelines marked running whose process may still run. */
  openRuns: Run[];
  /**
   * Runs marked running whose process is provably gone (status `orphaned`, with orphanReason): the next run of the
   * pipeline, or `sync cleanup`, closes them as failed.
   */
  orphanedRuns: Run[];
  checkedAt: string;
}

export const syncStatus = defineOperation({
  name: 'sync.status',
  summary: 'Each sync table: watermark, lag, last run and the next window',
  input: z.object({ table: z.string().min(1).optional() }),
  async run(ctx, input): Promise<SyncStatusResult> {
    const tables = selectSyncTables(ctx.config, input.table);
    const store = await ctx.state();
    const pipelines = new Set(tables.map((t) => t.pipeline));
    const running = (await listLocks(store)).filter(
      (l) => pipelines.has(l.name.replace(/^pipeline:/, '')) && l.name.startsWith('pipeline:'),
    );
    const open = (await listOpenRuns(store)).filter((r) => r.pipeline !== null && pipelines.has(r.pipeline));
    return {
      tables: await tableStatuses(store, tables),
      running,
      openRuns: open.filter((r) => r.status === 'running'),
      orphanedRuns: open.filter((r) => r.status === 'orphaned'),
      checkedAt: new Date().toISOString(),
    };
  },
});
