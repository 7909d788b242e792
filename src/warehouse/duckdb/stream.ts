import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { JsonDuckDBValueConverter } from './api.js';
import { CancelledError } from '../../errors.js';
import type { Row } from '../warehouse.js';

/**
 * Streams a DuckDB query in batches of at most `batchSize` rows. DuckDB's streaming result hands over one vector
 * chunk (2,048 rows) at a time and computes the next only when asked, so memory stays bounded by the batch size
 * whatever the result's row count. Values come in their JSON form, which loses nothing: DATE as `YYYY-MM-DD`,
 * TIMESTAMP as `YYYY-MM-DD HH:MM:SS[.ffffff]`, TIMESTAMPTZ with its offset, BIGINT and DECIMAL as exact text.
 */
export async function* streamDuckdb(
  connection: DuckDBConnection,
  sql: string,
  params: unknown[] = [],
  options: { batchSize?: number; signal?: AbortSignal } = {},
): AsyncIterable<Row[]> {
  const batchSize = Math.max(1, options.batchSize ?? 10_000);
  // A streaming result hands a selective filter's rows over in as many tiny chunks as the scan has vectors (one native
  // round trip each: ~0.2 s for 1,000 rows out of 1,000,000). A result small enough to hold (a few batches) is counted
  // first and then run materialized, in a few full chunks; a large one streams, so memory stays bounded.
  const counted = await connection.runAndReadAll(
    `SELECT count(*) AS n FROM (${sql}) AS opsctl_counted`,
    params as DuckDBValue[],
  );
  const small = Number(counted.getRowsJS()[0]?.[0] ?? Infinity) <= batchSize * 4;
  const result = small
    ? await connection.run(sql, params as DuckDBValue[])
    : await connection.stream(sql, params as DuckDBValue[]);
  const names = result.deduplicatedColumnNames();
  const width = names.length;
  let batch: Row[] = [];
  // Each chunk is converted column by column (one pass per vector), then the row objects are assembled: the same
  // values as `yieldRowObjectJson` (same converter, same de-duplicated names) for about two thirds of its time.
  for await (const chunk of result) {
    if (options.signal?.aborted) throw new CancelledError('cancelled while reading the warehouse');
    const columns = chunk.convertColumns(JsonDuckDBValueConverter);
    const count = chunk.rowCount;
    for (let r = 0; r < count; r++) {
      const row: Row = {};
      for (let c = 0; c < width; c++) row[names[c]!] = columns[c]![r];
      batch.push(row);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length) yield batch;
}
