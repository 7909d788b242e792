import { z } from 'zod';
import { stateStats, type TableStats } from '../../src/state/retention.js';
import { defineOperation } from '../operation.js';

export interface StateStatsResult {
  kind: 'sqlite' | 'postgres';
  location: string;
  tables: TableStats[];
}

/** Rows, bytes on disk and the oldest row of each table that grows with use, with the retention that prunes it. */
export const stateStatsOp = defineOperation({
  name: 'state.stats',
  summary: 'Rows, bytes and oldest row per state-store table, with its retention',
  input: z.object({}),
  async run(ctx): Promise<StateStatsResult> {
    const store = await ctx.state();
    return {
      kind: store.kind,
      location: store.location,
      tables: await stateStats(store, ctx.config.state.retention),
    };
  },
});
