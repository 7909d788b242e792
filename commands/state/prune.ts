import { z } from 'zod';
import { pruneState, type PruneResult, type StateRetentionPolicy } from '../../src/state/retention.js';
import { defineOperation, requireConfirmation } from '../operation.js';

export interface StatePruneResult extends PruneResult {
  policy: StateRetentionPolicy;
}

/**
 * Applies `state.retention` to the state store: runs, execution log, quarantine, load-test samples and metered jobs
 * older than their days go, oldest first, in short batches. A running run and the last run of each operation and
 * pipeline stay. `dryRun` counts what would go; deleting needs `confirm` (`etl run` applies it on its own).
 */
export const statePrune = defineOperation({
  name: 'state.prune',
  summary: 'Delete state-store history older than state.retention (runs, execution log, quarantine, samples, jobs)',
  input: z.object({
    dryRun: z.boolean().optional(),
    confirm: z.boolean().optional(),
  }),
  async run(ctx, input): Promise<StatePruneResult> {
    const policy = ctx.config.state.retention;
    const store = await ctx.state();
    ctx.progress({ phase: 'counting' });
    const planned = await pruneState(store, policy, { dryRun: true });
    const total = planned.counts.reduce((n, c) => n + c.rows, 0);
    if (input.dryRun || total === 0) return { ...planned, policy };
    requireConfirmation(
      input,
      `delete ${total} state-store row(s) older than state.retention (${planned.counts
        .filter((c) => c.rows > 0)
        .map((c) => `${c.rows} ${c.table}`)
        .join(', ')})`,
      { details: { counts: planned.counts } },
    );
    ctx.progress({ phase: 'deleting', total });
    const done = await pruneState(store, policy);
    ctx.log.info('state pruned', Object.fromEntries(done.counts.map((c) => [c.table, c.rows])));
    return { ...done, policy };
  },
});
