import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDBTimestampValue } from './api.js';
import { UsageError } from '../../errors.js';
import type { TableDef, WarehouseJobOptions } from '../tables.js';
import { ident, validateDef } from './sql.js';

/**
 * Deletes the rows of `def` whose `column` is before `before` (DATE columns compare by the UTC day of `before`);
 * `dryRun` counts them instead. A table that does not exist yet has nothing to delete.
 */
export async function deleteOlderThanDuckdb(
  connection: DuckDBConnection,
  def: TableDef,
  column: string,
  before: Date,
  options: WarehouseJobOptions & { dryRun?: boolean } = {},
): Promise<number> {
  validateDef(def);
  const col = def.columns.find((c) => c.name === column);
  if (!col || (col.type !== 'TIMESTAMP' && col.type !== 'DATE')) {
    throw new UsageError(`${def.name}.${column} is not a TIMESTAMP or DATE column`, {
      hint: 'Retention deletes by a time column of the table.',
    });
  }
  const exists = await connection.runAndReadAll(
    'SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?',
    [def.name],
  );
  if (exists.currentRowCount === 0) return 0;
  const cutoff = new DuckDBTimestampValue(BigInt(before.getTime()) * 1000n);
  const predicate = col.type === 'DATE' ? `${ident(column)} < CAST(? AS DATE)` : `${ident(column)} < ?`;
  if (options.dryRun) {
    const reader = await connection.runAndReadAll(`SELECT count(*) AS n FROM ${ident(def.name)} WHERE ${predicate}`, [
      cutoff,
    ]);
    return Number(reader.getRows()[0]?.[0] ?? 0);
  }
  const reader = await connection.runAndReadAll(`DELETE FROM ${ident(def.name)} WHERE ${predicate}`, [cutoff]);
  return Number(reader.getRows()[0]?.[0] ?? 0);
}
