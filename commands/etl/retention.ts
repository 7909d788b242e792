import { z } from 'zod';
import { SPOTIFY_TABLES } from '../../src/spotify/tables.js';
import { finishRun, startRun } from '../../src/state/runs.js';
import type { TableDef } from '../../src/warehouse/tables.js';
import { describeWarehouse, openWarehouse } from '../../src/warehouse/warehouse.js';
import { confirmFields, defineOperation, requireConfirmation } from '../operation.js';

/** What retention prunes: plays by when they were played, top snapshots by their snapshot day. */
export const RETENTION_TABLES: Array<{ def: TableDef; column: string }> = [
  { def: SPOTIFY_TABLES.recently_played, column: 'played_at' },
  { def: SPOTIFY_TABLES.top_tracks, column: 'snapshot_date' },
  { def: SPOTIFY_TABLES.top_artists, column: 'snapshot_date' },
];

const DAY_MS = 86_400_000;

export const etlRetentionInput = z.strictObject({
  /** Age in days, e.g. `90d`. */
  olderThan: z.string().regex(/^[1-9]\d{0,4}d$/, { message: 'must be a number of days such as 90d' }),
  dryRun: z.boolean().optional(),
  ...confirmFields,
  /** The instant the age is measured from (tests, reproducible reports); default now. */
  asOf: z.iso.datetime({ offset: true }).optional(),
});

export interface EtlRetentionResult {
  warehouse: string;
  olderThanDays: number;
  cutoff: string;
  dryRun: boolean;
  tables: Array<{ table: string; column: string; rows: number }>;
  /** Rows deleted, or that would be deleted on a dry run. */
  total: number;
  runId: number | null;
}

/**
 * Deletes recently_played rows played before the cutoff and top-tracks/top-artists snapshots taken before it. Counts
 * first; deleting needs `confirm: true` (the counts are in the confirmation), and is recorded as a run.
 */
export const etlRetention = defineOperation({
  name: 'etl.retention',
  summary: 'Delete old plays and top snapshots from the warehouse (dry run shows counts)',
  input: etlRetentionInput,
  async run(ctx, input): Promise<EtlRetentionResult> {
    const days = Number(input.olderThan.slice(0, -1));
    const now = input.asOf ? new Date(input.asOf) : new Date();
    const cutoff = new Date(now.getTime() - days * DAY_MS);
    const warehouse = await openWarehouse(ctx.config);
    const job = { labels: { operation: 'etl-retention' }, signal: ctx.signal };
    try {
      const counts: EtlRetentionResult['tables'] = [];
      for (const { def, column } of RETENTION_TABLES) {
        ctx.progress({ phase: 'count', done: counts.length, total: RETENTION_TABLES.length, note: def.name });
        counts.push({
          table: def.name,
          column,
          rows: await warehouse.deleteOlderThan(def, column, cutoff, { ...job, dryRun: true }),
        });
      }
      const total = counts.reduce((n, t) => n + t.rows, 0);
      const base = {
        warehouse: describeWarehouse(ctx.config),
        olderThanDays: days,
        cutoff: cutoff.toISOString(),
        dryRun: true,
        tables: counts,
        total,
        runId: null,
      };
      if (input.dryRun || total === 0) return { ...base, dryRun: input.dryRun === true };
      requireConfirmation(
        input,
        `delete ${total} warehouse row${total === 1 ? '' : 's'} older than ${days} days (${counts.map((c) => `${c.table} ${c.rows}`).join(', ')})`,
        // The warehouse is a production target in a production environment: its name to type is `warehouse`.
        { target: { name: 'warehouse', production: ctx.config.environment === 'production' } },
      );
      const store = await ctx.state();
      const run = await startRun(store, {
        operation: 'etl.retention',
        trigger: ctx.trigger,
        summary: { olderThanDays: days, cutoff: base.cutoff },
      });
      try {
        const deleted: EtlRetentionResult['tables'] = [];
        for (const { def, column } of RETENTION_TABLES) {
          ctx.progress({ phase: 'delete', done: deleted.length, total: RETENTION_TABLES.length, note: def.name });
          deleted.push({ table: def.name, column, rows: await warehouse.deleteOlderThan(def, column, cutoff, job) });
        }
        const result = {
          ...base,
          dryRun: false,
          tables: deleted,
          total: deleted.reduce((n, t) => n + t.rows, 0),
          runId: run.id,
        };
        await finishRun(store, run.id, { status: 'succeeded', summary: result });
        return result;
      } catch (error) {
        await finishRun(store, run.id, {
          status: ctx.signal.aborted ? 'cancelled' : 'failed',
          error: (error as Error).message,
        }).catch(() => undefined);
        throw error;
      }
    } finally {
      await warehouse.close();
    }
  },
});
