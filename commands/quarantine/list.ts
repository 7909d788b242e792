import { z } from 'zod';
import { countQuarantine, listQuarantine, type QuarantinedRecord } from '../../src/state/quarantine.js';
import { defineOperation } from '../operation.js';
import { keysetPage } from '../paging.js';

export const quarantineListInput = z.strictObject({
  pipeline: z.string().min(1).optional(),
  table: z.string().min(1).optional(),
  /** A case-insensitive part of the reason (`not a date`, `missing`). */
  reason: z.string().min(1).optional(),
  run: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(1000).optional(),
  /** Keyset pagination: only records older than this id (the previous page's `nextBeforeId`). */
  beforeId: z.number().int().positive().optional(),
});

export interface QuarantineListResult {
  /** Newest first, with their payloads. */
  records: QuarantinedRecord[];
  /** Records matching the filter in all. */
  total: number;
  /** Pass as `beforeId` (--before) for the next, older page; null on the last page. */
  nextBeforeId: number | null;
}

/** Quarantined records (rows that failed validation, kept with their reason), newest first, a page at a time. */
export const quarantineList = defineOperation({
  name: 'quarantine.list',
  summary: 'Quarantined records (rows that failed validation), newest first, with their reason',
  input: quarantineListInput,
  async run(ctx, input): Promise<QuarantineListResult> {
    const store = await ctx.state();
    const limit = input.limit ?? 50;
    const filter = { pipeline: input.pipeline, table: input.table, reason: input.reason, runId: input.run };
    const records = await listQuarantine(store, { ...filter, beforeId: input.beforeId, limit: limit + 1 });
    const { page, nextBeforeId } = keysetPage(records, limit);
    const total = (await countQuarantine(store, filter)).reduce((n, g) => n + g.count, 0);
    return { records: page, total, nextBeforeId };
  },
});
