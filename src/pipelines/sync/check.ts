import type { SqlTarget } from '../../db/target.js';
import { EXECUTION_LOG_TABLE, pgTypeName, typeMatches, WATERMARKS_TABLE } from './ddl.js';
import type { SyncTable } from './tables.js';

export interface TableCheck {
  table: string;
  status: 'ok' | 'missing' | 'mismatch';
  problems: string[];
  /** Columns the target has beyond the config (nullable or defaulted: harmless). */
  extraColumns: string[];
}

interface ColumnRow {
  column: string;
  type: string;
  not_null: boolean;
  has_default: boolean;
}

const COLUMNS_SQL = `SELECT a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null, a.atthasdef AS has_default
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relname = $1 AND n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`;

const PK_SQL = `SELECT a.attname AS column
FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
WHERE c.relname = $1 AND n.nspname = current_schema() AND i.indisprimary
ORDER BY k.ord`;

/** The target's table against the config: every column present with its type, and the primary key the same set. */
export async function checkTable(target: SqlTarget, t: SyncTable): Promise<TableCheck> {
  const cols = await target.query<ColumnRow>(COLUMNS_SQL, [t.name]);
  if (cols.length === 0)
    return {
      table: t.name,
      status: 'missing',
      problems: [`table ${t.name} does not exist on target ${target.name}`],
      extraColumns: [],
    };
  const problems: string[] = [];
  const byName = new Map(cols.map((c) => [c.column, c]));
  for (const c of t.columns) {
    const actual = byName.get(c.name);
    if (!actual) problems.push(`column ${c.name} is missing (config: ${c.type})`);
    else if (!typeMatches(c.type, actual.type))
      problems.push(`column ${c.name} is ${actual.type}, config says ${pgTypeName(c.type)}`);
  }
  const configured = new Set(t.columns.map((c) => c.name));
  const extra = cols.filter((c) => !configured.has(c.column));
  for (const c of extra)
    if (c.not_null && !c.has_default)
      problems.push(`column ${c.column} is NOT NULL without a default and not in the config: inserts would fail`);
  const pk = (await target.query<{ column: string }>(PK_SQL, [t.name])).map((r) => r.column);
  if (pk.length === 0) problems.push(`no primary key (config: ${t.key.join(', ')}): the upsert needs one`);
  else if (pk.length !== t.key.length || !t.key.every((k) => pk.includes(k)))
    problems.push(`primary key is (${pk.join(', ')}), config says (${t.key.join(', ')})`);
  return {
    table: t.name,
    status: problems.length ? 'mismatch' : 'ok',
    problems,
    extraColumns: extra.map((c) => c.column),
  };
}

/** Whether the bookkeeping tables exist. */
export async function metaTablesPresent(target: SqlTarget): Promise<string[]> {
  const present: string[] = [];
  for (const name of [WATERMARKS_TABLE, EXECUTION_LOG_TABLE])
    if ((await target.query(COLUMNS_SQL, [name])).length) present.push(name);
  return present;
}

export interface TimescaleState {
  installed: string | null;
  available: string | null;
  hypertables: string[];
}

export async function timescaleState(target: SqlTarget): Promise<TimescaleState> {
  const installed =
    (await target.query<{ v: string }>("SELECT extversion AS v FROM pg_extension WHERE extname = 'timescaledb'"))[0]
      ?.v ?? null;
  const available =
    (
      await target
        .query<{ v: string }>("SELECT default_version AS v FROM pg_available_extensions WHERE name = 'timescaledb'")
        .catch(() => [])
    )[0]?.v ?? null;
  const hypertables = installed
    ? (
        await target.query<{ name: string }>(
          'SELECT hypertable_name AS name FROM timescaledb_information.hypertables WHERE hypertable_schema = current_schema()',
        )
      ).map((r) => r.name)
    : [];
  return { installed, available, hypertables };
}
