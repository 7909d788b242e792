import type { DuckDBConnection } from '@duckdb/node-api';
import { throwIfAborted } from '../../errors.js';
import type { TableDef, WarehouseJobOptions } from '../tables.js';
import { ident, SQL_TYPE, validateDef } from './sql.js';

export function createTableSql(def: TableDef): string {
  validateDef(def);
  const columns = def.columns.map(
    (c) => `${ident(c.name)} ${SQL_TYPE[c.type]}${c.required || def.key.includes(c.name) ? ' NOT NULL' : ''}`,
  );
  return `CREATE TABLE IF NOT EXISTS ${ident(def.name)} (${columns.join(', ')}, PRIMARY KEY (${def.key.map(ident).join(', ')}))`;
}

/**
 * Creates each missing table with its primary key (the natural key loads merge on), and adds columns a newer table
 * definition declares to a table created by an older opsctl. Idempotent.
 */
export async function ensureDuckdbTables(
  connection: DuckDBConnection,
  defs: TableDef[],
  options: WarehouseJobOptions = {},
): Promise<void> {
  for (const def of defs) {
    throwIfAborted(options.signal);
    await connection.run(createTableSql(def));
    const existing = await connection.runAndReadAll(
      'SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?',
      [def.name],
    );
    const have = new Set(existing.getRowObjectsJS().map((r) => String(r.column_name)));
    for (const c of def.columns) {
      if (!have.has(c.name))
        await connection.run(`ALTER TABLE ${ident(def.name)} ADD COLUMN ${ident(c.name)} ${SQL_TYPE[c.type]}`);
    }
  }
}
