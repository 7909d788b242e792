import type { TableDef, UpsertResult, WarehouseJobOptions } from '../warehouse/tables.js';
import type { CsvExportOptions, Row, Warehouse } from '../warehouse/warehouse.js';
import type { Config } from '../config/load.js';
import type { SqlRunner } from '../state/store.js';
import { openWarehouse } from '../warehouse/warehouse.js';
import { recordWarehouseJob, type WarehouseJob } from './store.js';

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

const SAMPLE_ROWS = 500;

/**
 * The logical bytes of a large batch estimated from an even sample of its rows: a sync streams millions of rows, and
 * walking every value would cost more than the estimate is worth.
 */
export function sampledBytes(rows: Row[]): number {
  if (rows.length <= SAMPLE_ROWS) return logicalBytes(rows);
  const step = rows.length / SAMPLE_ROWS;
  let bytes = 0;
  for (let i = 0; i < SAMPLE_ROWS; i++) bytes += logicalBytes(rows[Math.floor(i * step)]);
  return Math.round((bytes / SAMPLE_ROWS) * rows.length);
}

const EXPORT_SAMPLE_ROWS = 200;

/**
 * A warehouse whose reads are metered: each query's rows, each upsert's staged rows (what the MERGE reads from the
 * staging table) and each stream's pages are measured and handed to `record` (which writes costs_jobs). Used for
 * DuckDB, which reports no bytes billed, so the cost report can price opsctl's own workload at BigQuery's rates. The
 * figures are lower bounds: BigQuery also bills the target columns a MERGE reads and at least 10 MiB per query.
 */
export function meteredWarehouse(
  warehouse: Warehouse,
  context: { operation: string; pipeline?: string | null },
  record: (job: WarehouseJob) => Promise<void>,
): Warehouse {
  const meter = (query: string, bytesScanned: number, rowsRead: number) =>
    record({
      warehouse: warehouse.kind,
      operation: context.operation,
      pipeline: context.pipeline ?? null,
      bytesScanned,
      rowsRead,
      query,
    });
  return {
    ...warehouse,
    kind: warehouse.kind,
    location: warehouse.location,
    async query<T = Row>(sql: string, params?: unknown[], options?: WarehouseJobOptions) {
      const rows = await warehouse.query<T>(sql, params, options);
      await meter(sql, logicalBytes(rows), rows.length);
      return rows;
    },
    version: () => warehouse.version(),
    ensureTables: (defs: TableDef[], options?: WarehouseJobOptions) => warehouse.ensureTables(defs, options),
    async upsert(def: TableDef, rows: Row[], options?: WarehouseJobOptions): Promise<UpsertResult> {
      const result = await warehouse.upsert(def, rows, options);
      // The load itself is free in BigQuery; the MERGE reads the staged rows.
      if (rows.length)
        await meter(`MERGE INTO ${def.name} (${rows.length} staged rows)`, sampledBytes(rows), rows.length);
      return result;
    },
    deleteOlderThan: (def, column, before, options) => warehouse.deleteOlderThan(def, column, before, options),
    async *stream(sql: string, params?: unknown[], options?: WarehouseJobOptions & { batchSize?: number }) {
      let bytes = 0;
      let rowsRead = 0;
      try {
        for await (const batch of warehouse.stream(sql, params, options)) {
          bytes += sampledBytes(batch);
          rowsRead += batch.length;
          yield batch;
        }
      } finally {
        // Also when the consumer stops early or fails: what was read was read.
        await meter(sql, bytes, rowsRead);
      }
    },
    ...(warehouse.exportCsv
      ? {
          // The rows never pass through opsctl: their bytes are estimated from the first rows of the same query.
          async exportCsv(sql: string, params: unknown[], file: string, options?: CsvExportOptions) {
            const rows = await warehouse.exportCsv!(sql, params, file, options);
            const sample =
              rows > 0
                ? await warehouse.query(`SELECT * FROM (${sql}) AS opsctl_sample LIMIT ${EXPORT_SAMPLE_ROWS}`, params)
                : [];
            await meter(sql, sample.length ? Math.round((sampledBytes(sample) / sample.length) * rows) : 0, rows);
            return rows;
          },
        }
      : {}),
    close: () => warehouse.close(),
  };
}

/**
 * The configured warehouse for one operation. DuckDB bills nothing, so its reads and loads are metered into
 * costs_jobs (the cost report prices them at BigQuery's rates); BigQuery reports its own bytes in JOBS_BY_PROJECT.
 */
export async function openMeteredWarehouse(
  config: Config,
  store: SqlRunner,
  context: { operation: string; pipeline?: string | null },
): Promise<Warehouse> {
  const warehouse = await openWarehouse(config);
  if (warehouse.kind !== 'duckdb') return warehouse;
  return meteredWarehouse(warehouse, context, (job) => recordWarehouseJob(store, job));
}
