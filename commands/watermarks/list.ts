import { z } from 'zod';
import { selectSyncTables } from '../../src/pipelines/sync/tables.js';
import { defineOperation } from '../operation.js';
import { tableStatuses, type SyncTableStatus } from '../../src/pipelines/sync/status.js';

export interface WatermarksListResult {
  watermarks: SyncTableStatus[];
  checkedAt: string;
}

/** Every configured sync table's watermark, lag and last run (the console's Watermarks pane, the bot's /watermarks). */
export const watermarksList = defineOperation({
  name: 'watermarks.list',
  summary: "Every sync table's watermark, lag behind now and last run",
  input: z.object({ table: z.string().min(1).optional() }),
  async run(ctx, input): Promise<WatermarksListResult> {
    const tables = selectSyncTables(ctx.config, input.table);
    return { watermarks: await tableStatuses(await ctx.state(), tables), checkedAt: new Date().toISOString() };
  },
});
