import type { SyncColumnType } from '../../config/sections/sync-tables.js';
import { quotePg } from '../../db/identifiers.js';
import type { SyncTable } from './tables.js';

export const WATERMARKS_TABLE = 'etl_watermarks';
export const EXECUTION_LOG_TABLE = 'etl_execution_log';

/** The seeds' TimescaleDB settings for the execution log: 1-month chunks, 6 months kept. */
export const LOG_TIMESCALE = { chunk_interval: '1 month', retention: '6 months' } as const;

export function createTableSql(t: Pick<SyncTable, 'name' | 'columns' | 'key'>): string {
  const cols = t.columns.map((c) => `  ${quotePg(c.name)} ${c.type}${t.key.includes(c.name) ? ' NOT NULL' : ''}`);
  return `CREATE TABLE IF NOT EXISTS ${quotePg(t.name)} (\n${cols.join(',\n')},\n  PRIMARY KEY (${t.key.map(quotePg).join(', ')})\n)`;
}

/** The target-side bookkeeping of the seeds: the watermark per table and one log row per table run. */
export const META_TABLES_SQL = [
  `CREATE TABLE IF NOT EXISTS ${WATERMARKS_TABLE} (
  pipeline text NOT NULL,
  table_name text NOT NULL,
  incremental_column text NOT NULL,
  watermark text,
  run_id bigint,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (pipeline, table_name)
)`,
  `CREATE TABLE IF NOT EXISTS ${EXECUTION_LOG_TABLE} (
  id bigserial NOT NULL,
  run_id bigint,
  pipeline text NOT NULL,
  table_name text NOT NULL,
  status text NOT NULL,
  rows_extracted bigint NOT NULL DEFAULT 0,
  rows_upserted bigint NOT NULL DEFAULT 0,
  rows_rejected bigint NOT NULL DEFAULT 0,
  watermark_before text,
  watermark_after text,
  error text,
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  duration_ms bigint,
  PRIMARY KEY (id, started_at)
)`,
];

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * What `sync setup` sends where the timescaledb extension exists: each table becomes a hypertable on its incremental
 * column (the seeds: 7-day chunks, 1 day for operation_data; the log 1 month) and gets a retention policy (2 years,
 * 1 year for operation_data, the log 6 months). Idempotent (`if_not_exists`), existing rows migrated.
 */
export function timescaleSql(tables: SyncTable[]): string[] {
  const out: string[] = [];
  const hyper = (table: string, column: string, chunk: string, retention: string | null) => {
    out.push(
      `SELECT create_hypertable(${lit(table)}, by_range(${lit(column)}, INTERVAL ${lit(chunk)}), if_not_exists => TRUE, migrate_data => TRUE)`,
    );
    if (retention)
      out.push(
        `SELECT add_retention_policy(${lit(table)}, drop_after => INTERVAL ${lit(retention)}, if_not_exists => TRUE)`,
      );
  };
  for (const t of tables) {
    if (t.incrementalType === 'integer' || t.incrementalType === 'bigint') continue; // time dimension only
    hyper(t.name, t.incremental, t.config.timescale.chunk_interval, t.config.timescale.retention);
  }
  hyper(EXECUTION_LOG_TABLE, 'started_at', LOG_TIMESCALE.chunk_interval, LOG_TIMESCALE.retention);
  return out;
}

/** PostgreSQL's own name of a config type, as `format_type` prints it. */
export function pgTypeName(type: SyncColumnType): string {
  switch (type) {
    case 'timestamptz':
      return 'timestamp with time zone';
    case 'timestamp':
      return 'timestamp without time zone';
    default:
      return type;
  }
}

/** Column types the target may have for a config type: numeric(p,s) for numeric, varchar for text. */
export function typeMatches(expected: SyncColumnType, actual: string): boolean {
  const base = actual.replace(/\(.*\)$/, '').trim();
  if (base === pgTypeName(expected)) return true;
  if (expected === 'text' && (base === 'character varying' || base === 'character')) return true;
  return false;
}
