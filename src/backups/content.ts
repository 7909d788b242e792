import { createHash } from 'node:crypto';
import { quoteMysql, quotePg } from '../db/identifiers.js';
import type { PoolClient, Pool } from 'pg';
import type { MysqlTarget } from '../db/mysql.js';
import type { PgliteTarget } from '../db/pglite.js';
import { listTables, type Queryable } from './tables.js';

/**
 * Content checksums: what proves a restored table holds the same values, not just the same number of rows (a MariaDB
 * ENUM label with a 4-byte character comes back from mariadb-dump as `'b ?'`, and every row holding it restores as
 * `''` with the count intact).
 *
 * Per table, the server hashes every row's text (md5) and sums the 128 hash bits in two exact 64-bit lanes (numeric /
 * DECIMAL sums, never floating point). A sum is order-free, so no ORDER BY is needed: no sort, no dependence on the
 * collation the scratch database was created with (a text key orders differently under en_US and C), and tables
 * without a primary key are covered the same way. Duplicated rows count as often as they occur. The same SQL runs on
 * the backup's snapshot and on the scratch restore. md5 here detects accidental change (a lossy dump, a broken
 * restore); it is not a defence against someone who rewrites both the file and the manifest.
 *
 * What makes a row's text stable across dump and restore is pinned per session: PostgreSQL's output settings
 * (dates, time zone, float digits, bytea, money), MariaDB's time zone (TIMESTAMP is shown in it).
 */
export const CONTENT_METHOD = {
  postgres: 'pg-row-md5-sum/1',
  pglite: 'pg-row-md5-sum/1',
  mysql: 'mysql-row-md5-sum/1',
} as const;
export type ContentEngine = keyof typeof CONTENT_METHOD;

/** Table name (as in the manifest's counts) → checksum. */
export type ContentChecksums = Record<string, string>;

// is_local = true: the caller runs this inside a transaction, so the settings end with it and never leak into a pool.
const PG_SETTINGS = `SELECT set_config('DateStyle', 'ISO, YMD', true), set_config('IntervalStyle', 'postgres', true),
  set_config('TimeZone', 'UTC', true), set_config('extra_float_digits', '3', true),
  set_config('bytea_output', 'hex', true), set_config('lc_monetary', 'C', true), set_config('xmloption', 'content', true)`;

const MYSQL_COLUMNS = `
  SELECT column_name AS column_name FROM information_schema.columns
  WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position`;

function pgSql(schema: string, table: string): string {
  // ROW(r.*) is the whole row even when a column is named like the alias. ONLY: a parent's inherited or partitioned
  // rows are hashed once, under the child table that holds them.
  return `SELECT count(*) AS n,
      sum(('x' || substr(h, 1, 16))::bit(64)::bigint::numeric)::text AS a,
      sum(('x' || substr(h, 17, 16))::bit(64)::bigint::numeric)::text AS b
    FROM (SELECT md5(ROW(r.*)::text) AS h FROM ONLY ${quotePg([schema, table])} AS r) AS x`;
}

function mysqlSql(table: string, columns: string[]): string {
  // Each value as the hex of its text bytes (CAST AS BINARY: numbers and dates as shown, strings in their column's
  // character set, ENUM as its label, BLOBs raw), NULL as N: unambiguous whatever the values hold.
  const values = columns.map((c) => `IFNULL(HEX(CAST(${quoteMysql(c)} AS BINARY)), 'N')`).join(', ');
  return `SELECT COUNT(*) AS n,
      CAST(SUM(CAST(CONV(LEFT(h, 16), 16, 10) AS UNSIGNED)) AS CHAR) AS a,
      CAST(SUM(CAST(CONV(RIGHT(h, 16), 16, 10) AS UNSIGNED)) AS CHAR) AS b
    FROM (SELECT MD5(CONCAT_WS(',', ${values || "''"})) AS h FROM ${quoteMysql(table)}) AS x`;
}

function digest(method: string, row: { n?: unknown; a?: unknown; b?: unknown } | undefined): string {
  const text = `${method}|${String(row?.n ?? 0)}|${String(row?.a ?? 0)}|${String(row?.b ?? 0)}`;
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/**
 * The checksum of every user table. PostgreSQL/PGlite: call it inside a transaction (the backup's exported snapshot, or
 * a read-only one on the scratch database). MySQL: on one connection, inside the consistent snapshot; the session's
 * time zone is set to UTC and put back to the server default afterwards.
 */
export async function checksumTables(db: Queryable, engine: ContentEngine): Promise<ContentChecksums> {
  const method = CONTENT_METHOD[engine];
  const out: ContentChecksums = {};
  if (engine === 'mysql') {
    await db.query("SET time_zone = '+00:00'");
    try {
      for (const t of await listTables(db, engine)) {
        const cols = await db.query<{ column_name?: string; COLUMN_NAME?: string }>(MYSQL_COLUMNS, [t.table]);
        const [row] = await db.query(
          mysqlSql(
            t.table,
            cols.map((c) => String(c.column_name ?? c.COLUMN_NAME)),
          ),
        );
        out[t.table] = digest(method, row);
      }
    } finally {
      await db.query('SET time_zone = DEFAULT');
    }
    return out;
  }
  await db.query(PG_SETTINGS);
  for (const t of await listTables(db, engine)) {
    const [row] = await db.query(pgSql(t.schema!, t.name));
    out[t.table] = digest(method, row);
  }
  return out;
}

/** Tables whose content differs from the manifest's (or that the restore lacks), in the manifest's order. */
export function compareContent(expected: ContentChecksums, actual: ContentChecksums): string[] {
  return Object.keys(expected).filter((table) => actual[table] !== expected[table]);
}

/** One pooled connection inside a read-only consistent snapshot (InnoDB) for `fn`. */
export async function withMysqlSnapshot<T>(target: MysqlTarget, fn: (db: Queryable) => Promise<T>): Promise<T> {
  const conn = await target.native.getConnection();
  try {
    await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
    const out = await fn({
      query: async <R>(sql: string, params: unknown[] = []) => (await conn.query(sql, params))[0] as R[],
    });
    await conn.query('COMMIT');
    return out;
  } finally {
    conn.release();
  }
}

/** PGlite is one session: a transaction keeps the checksum settings from outliving the read. */
export async function withPgliteTransaction<T>(
  pg: PgliteTarget['native'],
  fn: (db: Queryable) => Promise<T>,
): Promise<T> {
  return pg.transaction(async (tx) =>
    fn({ query: async <R>(sql: string, params?: unknown[]) => (await tx.query(sql, params)).rows as R[] }),
  );
}

/** One client of the pool inside a read-only transaction for `fn` (the scratch database's side of the comparison). */
export async function withPgReadOnly<T>(pool: Pool, fn: (db: Queryable) => Promise<T>): Promise<T> {
  const client: PoolClient = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const out = await fn({
      query: async <R>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as R[],
    });
    await client.query('COMMIT');
    return out;
  } finally {
    client.release();
  }
}
