import type { WarehouseJobOptions } from '../warehouse/tables.js';
import type { Row, Warehouse } from '../warehouse/warehouse.js';
import type { WarehouseJob } from './store.js';

/**
 * The bytes a row would occupy in BigQuery (its documented data-type sizes: INT64/FLOAT64/TIMESTAMP/DATE 8, BOOL 1,
 * STRING 2 + UTF-8 length, BYTES its length, NULL 0). BigQuery bills the columns a query reads, so this is a lower
 * bound of what the same read would bill there.
 */
export function logicalBytes(value: unknown): number {
  if (value === null || value === undefined) return 0;
  switch (typeof value) {
    case 'number':
    case 'bigint':
      return 8;
    case 'boolean':
      return 1;
    case 'string':
      return 2 + Buffer.byteLength(value);
    default:
      if (value instanceof Date) return 8;
      if (Buffer.isBuffer(value) || value instanceof Uint8Array) return value.byteLength;
      if (Array.isArray(value)) return value.reduce((s: number, v) => s + logicalBytes(v), 0);
      return Object.values(value as Record<string, unknown>).reduce((s: number, v) => s + logicalBytes(v), 0);
  }
}

/**
 * A warehouse whose queries are metered: each one's rows are measured and handed to `record` (which writes
 * costs_jobs). Used for DuckDB, which reports no bytes billed, so the cost report can price opsctl's own workload at
 * BigQuery's rates.
 */
export function meteredWarehouse(
  warehouse: Warehouse,
  context: { operation: string; pipeline?: string | null },
  record: (job: WarehouseJob) => Promise<void>,
): Warehouse {
  return {
    ...warehouse,
    kind: warehouse.kind,
    location: warehouse.location,
    async query<T = Row>(sql: string, params?: unknown[], options?: WarehouseJobOptions) {
      const rows = await warehouse.query<T>(sql, params, options);
      await record({
        warehouse: warehouse.kind,
        operation: context.operation,
        pipeline: context.pipeline ?? null,
        bytesScanned: logicalBytes(rows),
        rowsRead: rows.length,
        query: sql,
      });
      return rows;
    },
    version: () => warehouse.version(),
    close: () => warehouse.close(),
  };
}
