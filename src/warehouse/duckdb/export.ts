import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { CancelledError } from '../../errors.js';
import type { CsvExportOptions, SourceColumn } from '../warehouse.js';
import { ident } from './sql.js';

/** A query's columns and DuckDB types, from preparing it (nothing runs). */
export async function describeDuckdb(connection: DuckDBConnection, sql: string): Promise<SourceColumn[]> {
  const prepared = await connection.prepare(sql);
  try {
    return Array.from({ length: prepared.columnCount }, (_, i) => ({
      name: prepared.columnName(i),
      type: prepared.columnType(i).toString(),
    }));
  } finally {
    prepared.destroySync();
  }
}

/**
 * `COPY (query) TO file` in DuckDB's own CSV writer: the rows never become JS values (what makes the sync's bulk path
 * several times faster than streaming). No header; NULL is an unquoted empty field and the `quote` columns are always
 * quoted, so an empty string stays distinguishable from NULL in PostgreSQL's CSV reader. A cancelled run interrupts the
 * statement.
 */
export async function exportCsvDuckdb(
  connection: DuckDBConnection,
  sql: string,
  params: unknown[],
  file: string,
  options: CsvExportOptions = {},
): Promise<number> {
  const quote = options.quote?.length ? `, FORCE_QUOTE (${options.quote.map(ident).join(', ')})` : '';
  const copy = `COPY (${sql}) TO '${file.replace(/'/g, "''")}' (FORMAT csv, HEADER false, DELIMITER ',', QUOTE '"', ESCAPE '"'${quote})`;
  const interrupt = () => connection.interrupt();
  options.signal?.addEventListener('abort', interrupt, { once: true });
  try {
    // Rows in any order: DuckDB then writes each thread's rows as they come instead of holding them back to keep the
    // scan's order (2,000,000 rows: 106 MB of RSS instead of 254 MB, and faster). Reset after, for the other callers.
    await connection.run('SET preserve_insertion_order = false');
    const reader = await connection.runAndReadAll(copy, params as DuckDBValue[]);
    return Number(reader.getRowsJS()[0]?.[0] ?? 0);
  } catch (error) {
    if (options.signal?.aborted)
      throw new CancelledError('cancelled while exporting from the warehouse', { cause: error });
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', interrupt);
    await connection.run('RESET preserve_insertion_order').catch(() => undefined);
  }
}
