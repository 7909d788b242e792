import { z } from 'zod';
import { durationSchema } from './common.js';

/**
 * One synced table (the seeds' "Pulso" pattern): the warehouse source, the target columns and their PostgreSQL types,
 * the primary key the upsert merges on, the incremental column the watermark follows and the lookback window that
 * re-reads late rows and corrections. Keys are snake_case like the seeds' table config.
 */
export const SQL_IDENT = /^[a-z_][a-z0-9_]{0,62}$/;
export const sqlIdentSchema = z
  .string()
  .regex(SQL_IDENT, { message: 'must be a lowercase SQL identifier (letters, digits, _)' });
export const syncTableNameSchema = sqlIdentSchema;

export const SYNC_COLUMN_TYPES = [
  'text',
  'integer',
  'bigint',
  'numeric',
  'double precision',
  'boolean',
  'date',
  'timestamptz',
  'timestamp',
  'jsonb',
] as const;
export type SyncColumnType = (typeof SYNC_COLUMN_TYPES)[number];
export const INCREMENTAL_TYPES: readonly SyncColumnType[] = ['date', 'timestamptz', 'timestamp', 'integer', 'bigint'];

/** `dataset.table` or `project.dataset.table` (BigQuery), `schema.table` or `table` (DuckDB). */
const SOURCE_TABLE = /^[A-Za-z_][A-Za-z0-9_-]{0,127}(\.[A-Za-z_][A-Za-z0-9_]{0,127}){0,2}$/;
/** A PostgreSQL interval the TimescaleDB calls take, e.g. `7 days`, `1 month`, `2 years`. */
const INTERVAL = /^\d{1,4} (hour|hours|day|days|week|weeks|month|months|year|years)$/;
const intervalSchema = z
  .string()
  .regex(INTERVAL, { message: 'must be an interval like "7 days", "1 month" or "2 years"' });

export const syncTableSchema = z
  .strictObject({
    /** A warehouse table (default: the table's own name) or a query whose columns are the target's columns. */
    source: z
      .union([
        z.strictObject({
          table: z.string().regex(SOURCE_TABLE, { message: 'must be table, dataset.table or project.dataset.table' }),
        }),
        z.strictObject({ query: z.string().min(1) }),
      ])
      .optional(),
    /** Target columns and their PostgreSQL types, in order. */
    columns: z.record(sqlIdentSchema, z.enum(SYNC_COLUMN_TYPES)),
    primary_key: z.array(sqlIdentSchema).min(1),
    incremental_column: sqlIdentSchema,
    /** Each run re-reads from watermark − lookback_days, so late rows and corrections inside the window are picked up. */
    lookback_days: z.number().int().min(0).max(3650).default(0),
    /** Lag (now − watermark) beyond which the table is "lagging": the console highlights it, the bot alerts. */
    max_lag: durationSchema.optional(),
    /** Used where TimescaleDB exists (`sync setup`): the hypertable's chunk interval and the retention policy. */
    timescale: z
      .strictObject({
        chunk_interval: intervalSchema.default('7 days'),
        retention: intervalSchema.nullable().default('2 years'),
      })
      .prefault({}),
  })
  .superRefine((t, ctx) => {
    const columns = Object.keys(t.columns);
    if (columns.length === 0)
      ctx.addIssue({ code: 'custom', path: ['columns'], message: 'must name at least one column' });
    for (const [i, k] of t.primary_key.entries()) {
      if (!columns.includes(k))
        ctx.addIssue({ code: 'custom', path: ['primary_key', i], message: `"${k}" is not one of the columns` });
    }
    if (new Set(t.primary_key).size !== t.primary_key.length)
      ctx.addIssue({ code: 'custom', path: ['primary_key'], message: 'names a column twice' });
    const type = t.columns[t.incremental_column];
    if (!type)
      ctx.addIssue({
        code: 'custom',
        path: ['incremental_column'],
        message: `"${t.incremental_column}" is not one of the columns`,
      });
    else if (!INCREMENTAL_TYPES.includes(type))
      ctx.addIssue({
        code: 'custom',
        path: ['incremental_column'],
        message: `must be a date, timestamp or integer column (it is ${type})`,
      });
    else if ((type === 'integer' || type === 'bigint') && t.lookback_days > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['lookback_days'],
        message: 'must be 0 for an integer incremental column (a lookback counts days)',
      });
    }
  });

export type SyncTableConfig = z.output<typeof syncTableSchema>;
