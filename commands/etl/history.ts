import { z } from 'zod';
import { countRuns, listRuns, RUN_STATES } from '../../src/state/runs.js';
import { defineOperation } from '../operation.js';
import { keysetPage } from '../paging.js';
import { toRunListItem, type RunListItem } from './summary.js';

export const etlHistoryInput = z.strictObject({
  limit: z.number().int().min(1).max(1000).optional(),
  pipeline: z.string().min(1).optional(),
  status: z.enum(RUN_STATES).optional(),
  /** Keyset pagination: only runs older than this run id (the previous page's `nextBeforeId`). */
  beforeId: z.number().int().positive().optional(),
});

export interface EtlHistoryResult {
  /** Newest first. */
  runs: RunListItem[];
  /** Runs matching the filter in all. */
  total: number;
  /** Pass as `beforeId` to get the next (older) page; null on the last page. */
  nextBeforeId: number | null;
}

/** Pipeline runs, newest first, a page at a time (the Runs pane pages through thousands this way). */
export const etlHistory = defineOperation({
  name: 'etl.history',
  summary: 'Pipeline runs, newest first',
  input: etlHistoryInput,
  async run(ctx, input): Promise<EtlHistoryResult> {
    const store = await ctx.state();
    const limit = input.limit ?? 20;
    const filter = {
      pipelinesOnly: true,
      ...(input.pipeline ? { pipeline: input.pipeline } : {}),
      ...(input.status ? { status: input.status } : {}),
    };
    const runs = await listRuns(store, {
      ...filter,
      limit: limit + 1,
      ...(input.beforeId ? { beforeId: input.beforeId } : {}),
    });
    const { page, nextBeforeId } = keysetPage(runs, limit);
    return { runs: page.map(toRunListItem), total: await countRuns(store, filter), nextBeforeId };
  },
});
