import type { Config } from '../../config/load.js';
import { qualifiedName, quoteBigQuery, quotePg } from '../../db/identifiers.js';
import { allSyncTables, type SyncTable } from './tables.js';
import { windowStart } from './values.js';

export type SourceDialect = 'duckdb' | 'bigquery';

const QUOTE = { bigquery: quoteBigQuery, duckdb: quotePg } as const;

/** The configured source table, dotted parts quoted one by one; an unqualified BigQuery table is in the dataset. */
function quoteSourceTable(name: string, dialect: SourceDialect, dataset: string | undefined): string {
  const parts = qualifiedName(name);
  return QUOTE[dialect](dialect === 'bigquery' && parts.length === 1 && dataset ? [dataset, ...parts] : parts);
}

function castType(t: SyncTable, dialect: SourceDialect): string {
  switch (t.incrementalType) {
    case 'date':
      return 'DATE';
    case 'timestamp':
      return dialect === 'bigquery' ? 'DATETIME' : 'TIMESTAMP';
    case 'timestamptz':
      return dialect === 'bigquery' ? 'TIMESTAMP' : 'TIMESTAMPTZ';
    default:
      return dialect === 'bigquery' ? 'INT64' : 'BIGINT';
  }
}

/**
 * The query a run sends to the warehouse: the configured columns of the source table or query, from the window start
 * (`>=`, so rows tied with the watermark are read again and the upsert makes that harmless). No ORDER BY: the target
 * resolves duplicate keys by its own total order, so the warehouse's row order never matters.
 */
export function sourceQuery(
  t: SyncTable,
  dialect: SourceDialect,
  dataset: string | undefined,
  from: string | null,
): { sql: string; params: unknown[] } {
  const cols = t.columns.map((c) => QUOTE[dialect](c.name)).join(', ');
  const src =
    t.config.source && 'query' in t.config.source
      ? `(${t.config.source.query.trim().replace(/;\s*$/, '')}) AS src`
      : quoteSourceTable(t.config.source?.table ?? t.name, dialect, dataset);
  const base = `SELECT ${cols} FROM ${src}`;
  if (from === null) return { sql: base, params: [] };
  return {
    sql: `${base} WHERE ${QUOTE[dialect](t.incremental)} >= CAST(? AS ${castType(t, dialect)})`,
    params: [from],
  };
}

export function sourceDialect(config: Config): { dialect: SourceDialect; dataset: string | undefined } {
  return config.warehouse.kind === 'bigquery'
    ? { dialect: 'bigquery', dataset: config.warehouse.bigquery.dataset }
    : { dialect: 'duckdb', dataset: undefined };
}

/** The same query with its window start written as a literal, for BigQuery dry runs (validate). */
export function sourceQueryLiteral(
  t: SyncTable,
  dialect: SourceDialect,
  dataset: string | undefined,
  from: string,
): string {
  const q = sourceQuery(t, dialect, dataset, from);
  const at = q.sql.lastIndexOf('?');
  return `${q.sql.slice(0, at)}'${from.replace(/'/g, "''")}'${q.sql.slice(at + 1)}`;
}

/**
 * The source query of each sync table as a run would send it today with a full lookback window (watermark = today),
 * for BigQuery dry runs: what a routine run scans. A table without lookback is dry-run with today as its start.
 */
export function syncSourceQueries(
  config: Config,
  today = new Date(),
): Array<{ name: string; pipeline: string; sql: string }> {
  const { dialect, dataset } = sourceDialect(config);
  return allSyncTables(config).map((t) => {
    const now =
      t.watermarkType === 'date'
        ? today.toISOString().slice(0, 10)
        : t.watermarkType === 'timestamp'
          ? today.toISOString()
          : '0';
    const from = windowStart(now, t.watermarkType, t.lookbackDays) ?? now;
    return {
      name: `${t.pipeline}/${t.name}`,
      pipeline: t.pipeline,
      sql: sourceQueryLiteral(t, dialect, dataset, from),
    };
  });
}
