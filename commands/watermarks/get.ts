import { z } from 'zod';
import { selectSyncTables } from '../../src/pipelines/sync/tables.js';
import { listExecutions, type ExecutionEntry } from '../../src/state/execution-log.js';
import { defineOperation } from '../operation.js';
import { tableStatuses, type SyncTableStatus } from '../../src/pipelines/sync/status.js';

export interface WatermarkGetResult extends SyncTableStatus {
  /** The table's latest runs, newest first: how the watermark moved. */
  history: ExecutionEntry[];
}

export const watermarksGet = defineOperation({
  name: 'watermarks.get',
  summary: "One sync table's watermark and how it moved over its latest runs",
  input: z.object({ table: z.string().min(1), limit: z.number().int().min(1).max(500).default(10) }),
  async run(ctx, input): Promise<WatermarkGetResult> {
    const [t] = selectSyncTables(ctx.config, input.table);
    const store = await ctx.state();
    const [status] = await tableStatuses(store, [t!]);
    return {
      ...status!,
      history: await listExecutions(store, { pipeline: t!.pipeline, table: t!.name, limit: input.limit }),
    };
  },
});
