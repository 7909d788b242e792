import { z } from 'zod';
import { parseDuration } from '../../src/config/sections/common.js';
import { countQuarantine, newestQuarantineId, purgeQuarantine } from '../../src/state/quarantine.js';
import { confirmFields, defineOperation, requireConfirmation } from '../operation.js';

export const quarantinePurgeInput = z.strictObject({
  /** Only records quarantined longer ago than this (`30d`, `12h`); absent: every matching record. */
  olderThan: z
    .string()
    .refine((v) => parseDuration(v) !== undefined, { message: 'must be a duration such as 30d, 12h or 90m' })
    .optional(),
  pipeline: z.string().min(1).optional(),
  table: z.string().min(1).optional(),
  dryRun: z.boolean().optional(),
  ...confirmFields,
  /** The instant the age is measured from (tests); default now. */
  asOf: z.iso.datetime({ offset: true }).optional(),
});

export interface QuarantinePurgeResult {
  /** Records quarantined before this instant went (null: any age). */
  cutoff: string | null;
  pipeline: string | null;
  table: string | null;
  dryRun: boolean;
  /** Per pipeline and table: removed, or on a dry run (or an empty purge) what would be. */
  groups: Array<{ pipeline: string; table: string; count: number }>;
  /** Records removed (0 on a dry run). */
  removed: number;
}

/**
 * Deletes quarantined records once they are read and dealt with: older than an age, of one pipeline or table, or all.
 * Counts first; deleting needs `confirm` (the counts are in the confirmation; in a production environment the name to
 * type is `quarantine`). Only records that existed when it counted go, so one quarantined meanwhile is never removed
 * unseen. `state.retention.quarantine` does the same on a schedule.
 */
export const quarantinePurge = defineOperation({
  name: 'quarantine.purge',
  summary: 'Delete quarantined records (older than an age, of a pipeline or table); asks first',
  input: quarantinePurgeInput,
  async run(ctx, input): Promise<QuarantinePurgeResult> {
    const store = await ctx.state();
    const now = input.asOf ? new Date(input.asOf).getTime() : Date.now();
    const cutoff = input.olderThan ? new Date(now - parseDuration(input.olderThan)!).toISOString() : null;
    const maxId = await newestQuarantineId(store);
    const filter = { pipeline: input.pipeline, table: input.table, createdBefore: cutoff ?? undefined };
    const groups = maxId === null ? [] : await countQuarantine(store, { ...filter, maxId });
    const total = groups.reduce((n, g) => n + g.count, 0);
    const base = { cutoff, pipeline: input.pipeline ?? null, table: input.table ?? null, groups };
    if (input.dryRun || total === 0 || maxId === null) return { ...base, dryRun: input.dryRun === true, removed: 0 };
    requireConfirmation(
      input,
      `delete ${total} quarantined record${total === 1 ? '' : 's'} (${groups.map((g) => `${g.pipeline}/${g.table} ${g.count}`).join(', ')})`,
      {
        target: { name: 'quarantine', production: ctx.config.environment === 'production' },
        details: { groups },
      },
    );
    ctx.progress({ phase: 'deleting', done: 0, total });
    const removed = await purgeQuarantine(store, { ...filter, maxId }, (done) =>
      ctx.progress({ phase: 'deleting', done, total }),
    );
    ctx.log.info('quarantine purged', { removed, cutoff, pipeline: input.pipeline, table: input.table });
    return { ...base, dryRun: false, removed };
  },
});
