/**
 * A warehouse table as opsctl declares it: the same definition creates the BigQuery table (schema, time
 * partitioning) and the DuckDB one, and names the natural key every load merges on.
 */
export type ColumnType = 'STRING' | 'INT64' | 'FLOAT64' | 'BOOL' | 'TIMESTAMP' | 'DATE' | 'JSON';

export interface ColumnDef {
  name: string;
  type: ColumnType;
  /** NOT NULL / REQUIRED; every key column is required. */
  required?: boolean;
  description?: string;
}

export interface TableDef {
  name: string;
  columns: ColumnDef[];
  /** The natural key: a load stages its rows and MERGEs on these columns, so re-loading the same rows changes nothing. */
  key: string[];
  /**
   * Columns whose change alone does not make a stored row "updated" (load metadata such as extracted_at): a re-load
   * whose other values are identical leaves the row, these columns included, as it is.
   */
  unchangedUnless?: string[];
  /** BigQuery time partitioning by DATE(column); DuckDB ignores it. */
  partitionBy?: { column: string; type: 'DAY' };
  description?: string;
}

/** What a merge did. `inserted + updated` is what the run reports as loaded. */
export interface UpsertResult {
  inserted: number;
  updated: number;
}

export interface WarehouseJobOptions {
  /** Labels on the job (BigQuery); app=opsctl is always added. */
  labels?: Record<string, string>;
  signal?: AbortSignal;
}
