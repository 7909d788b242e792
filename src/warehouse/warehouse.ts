import type { Config } from '../config/load.js';
import type { TableDef, UpsertResult, WarehouseJobOptions } from './tables.js';
import { withSqlTrace } from '../log/trace.js';

export type Row = Record<string, unknown>;

/** A result column as the warehouse types it (DuckDB's type names: `BIGINT`, `DECIMAL(14,2)`, `TIMESTAMP WITH TIME ZONE`). */
export interface SourceColumn {
  name: string;
  type: string;
}

export interface CsvExportOptions {
  /** Columns always quoted (text columns), so an empty string is not read back as NULL. */
  quote?: string[];
  signal?: AbortSignal;
}

/**
 * The analytical store the Spotify pipeline loads into and the sync reads from: BigQuery in production, a DuckDB file
 * by default. Both adapters implement the whole port; each method's behaviour lives in the adapter's own modules.
 */
export interface Warehouse {
  readonly kind: 'duckdb' | 'bigquery';
  /** Where it is, fit for printing. */
  readonly location: string;
  query<T = Row>(sql: string, params?: unknown[], options?: WarehouseJobOptions): Promise<T[]>;
  version(): Promise<string>;
  /** Create the dataset/schema and each table that is missing (BigQuery: with its time partitioning). Idempotent. */
  ensureTables(defs: TableDef[], options?: WarehouseJobOptions): Promise<void>;
  /** Stage `rows` and MERGE them into `def` on its key in one statement; re-loading the same rows changes nothing. */
  upsert(def: TableDef, rows: Row[], options?: WarehouseJobOptions): Promise<UpsertResult>;
  /** Delete rows whose `column` is before `before` (retention); `dryRun` counts without deleting. */
  deleteOlderThan(
    def: TableDef,
    column: string,
    before: Date,
    options?: WarehouseJobOptions & { dryRun?: boolean },
  ): Promise<number>;
  /** Stream a query's rows in batches of at most `batchSize`, in bounded memory whatever the row count. */
  stream(sql: string, params?: unknown[], options?: WarehouseJobOptions & { batchSize?: number }): AsyncIterable<Row[]>;
  /** Optional (DuckDB): a query's result columns and their types, without running it. */
  describe?(sql: string): Promise<SourceColumn[]>;
  /**
   * Optional (DuckDB): writes a query's result to a local CSV file natively (no header, NULL as an unquoted empty
   * field), the rows never passing through JS; returns the row count. The sync's bulk path is built on it.
   */
  exportCsv?(sql: string, params: unknown[], file: string, options?: CsvExportOptions): Promise<number>;
  close(): Promise<void>;
}

export function describeWarehouse(config: Config): string {
  const w = config.warehouse;
  return w.kind === 'duckdb'
    ? `duckdb ${w.duckdb.path}`
    : `bigquery ${w.bigquery.projectId ?? '?'}.${w.bigquery.dataset} (${w.bigquery.location})`;
}

export async function openWarehouse(config: Config): Promise<Warehouse> {
  const warehouse =
    config.warehouse.kind === 'duckdb'
      ? await (await import('./duckdb.js')).openDuckdbWarehouse(config.warehouse.duckdb.path)
      : await (await import('./bigquery.js')).openBigqueryWarehouse(config.warehouse.bigquery);
  // --log-level debug: each query with its duration (src/log/trace.ts).
  return withSqlTrace(warehouse, { engine: warehouse.kind, db: 'warehouse', dialect: 'postgres' }, ['query']);
}
