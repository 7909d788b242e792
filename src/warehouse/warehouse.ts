import type { Config } from '../config/load.js';
import type { TableDef, UpsertResult, WarehouseJobOptions } from './tables.js';

export type Row = Record<string, unknown>;

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
  deleteOlderThan(def: TableDef, column: string, before: Date, options?: WarehouseJobOptions & { dryRun?: boolean }): Promise<number>;
  /** Stream a query's rows in batches of at most `batchSize`, in bounded memory whatever the row count. */
  stream(sql: string, params?: unknown[], options?: WarehouseJobOptions & { batchSize?: number }): AsyncIterable<Row[]>;
  close(): Promise<void>;
}

export function describeWarehouse(config: Config): string {
  const w = config.warehouse;
  return w.kind === 'duckdb' ? `duckdb ${w.duckdb.path}` : `bigquery ${w.bigquery.projectId ?? '?'}.${w.bigquery.dataset} (${w.bigquery.location})`;
}

export async function openWarehouse(config: Config): Promise<Warehouse> {
  if (config.warehouse.kind === 'duckdb') return (await import('./duckdb.js')).openDuckdbWarehouse(config.warehouse.duckdb.path);
  return (await import('./bigquery.js')).openBigqueryWarehouse(config.warehouse.bigquery);
}
