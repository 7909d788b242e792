import type { Config } from '../config/load.js';

export type Row = Record<string, unknown>;

/**
 * The analytical store the Spotify pipeline loads into and the sync reads from: BigQuery in production, a DuckDB file
 * by default. Capabilities extend this port (loads, merges, streaming reads) in their own modules.
 */
export interface Warehouse {
  readonly kind: 'duckdb' | 'bigquery';
  /** Where it is, fit for printing. */
  readonly location: string;
  query<T = Row>(sql: string, params?: unknown[]): Promise<T[]>;
  version(): Promise<string>;
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
