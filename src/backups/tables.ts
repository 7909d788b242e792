import { quoteMysql, quotePg } from '../db/identifiers.js';
import type { TableCount } from './manifest.js';

/** Anything that answers SQL with rows: a SqlTarget, a pg client, a PGlite instance wrapped. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

const PG_TABLES = `
  SELECT n.nspname AS schema_name, c.relname AS table_name
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
  ORDER BY 1, 2`;

const MYSQL_TABLES = `
  SELECT table_name AS table_name FROM information_schema.tables
  WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'
  ORDER BY table_name`;

/** A user table: `table` is its name in the manifest (`schema.table`, or the bare name on MySQL). */
export interface UserTable {
  table: string;
  schema?: string;
  name: string;
}

/** Every user table, sorted by name, from the catalog. */
export async function listTables(db: Queryable, engine: 'postgres' | 'pglite' | 'mysql'): Promise<UserTable[]> {
  if (engine === 'mysql') {
    const tables = await db.query<{ table_name?: string; TABLE_NAME?: string }>(MYSQL_TABLES);
    return tables.map((t) => {
      const name = String(t.table_name ?? t.TABLE_NAME);
      return { table: name, name };
    });
  }
  const tables = await db.query<{ schema_name: string; table_name: string }>(PG_TABLES);
  return tables.map((t) => ({ table: `${t.schema_name}.${t.table_name}`, schema: t.schema_name, name: t.table_name }));
}

/** The exact row count of every user table, sorted by name. Identifiers come from the catalog and are quoted. */
export async function countTables(db: Queryable, engine: 'postgres' | 'pglite' | 'mysql'): Promise<TableCount[]> {
  const out: TableCount[] = [];
  for (const t of await listTables(db, engine)) {
    const from = engine === 'mysql' ? quoteMysql(t.name) : quotePg([t.schema!, t.name]);
    const [row] = await db.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${from}`);
    out.push({ table: t.table, rows: Number(row?.n ?? 0) });
  }
  return out;
}

export interface CountMismatch {
  table: string;
  expected: number | null;
  actual: number | null;
}

/** Tables whose count differs, or that are missing on either side. */
export function compareCounts(expected: TableCount[], actual: TableCount[]): CountMismatch[] {
  const a = new Map(actual.map((t) => [t.table, t.rows]));
  const e = new Map(expected.map((t) => [t.table, t.rows]));
  const out: CountMismatch[] = [];
  for (const t of expected)
    if (a.get(t.table) !== t.rows) out.push({ table: t.table, expected: t.rows, actual: a.get(t.table) ?? null });
  for (const t of actual) if (!e.has(t.table)) out.push({ table: t.table, expected: null, actual: t.rows });
  return out;
}
