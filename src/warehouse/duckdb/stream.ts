import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
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
  const result = await connection.stream(sql, params as DuckDBValue[]);
  let batch: Row[] = [];
  for await (const rows of result.yieldRowObjectJson()) {
    if (options.signal?.aborted) throw new CancelledError('cancelled while reading the warehouse');
    for (const row of rows) {
      batch.push(row as Row);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length) yield batch;
}
