import { hostname, userInfo } from 'node:os';
import type { PoolClient } from 'pg';
import type { PoolConnection } from 'mysql2/promise';
import type { MysqlTarget } from '../db/mysql.js';
import type { PgliteTarget } from '../db/pglite.js';
import type { PostgresTarget } from '../db/postgres.js';
import type { Engine, SqlTarget } from '../db/target.js';
import { LockHeldError, throwIfAborted } from '../errors.js';
import { toNumberedPlaceholders } from '../state/dialect.js';
import { sleep } from '../util/sleep.js';
import { quoteMysql, quotePg } from '../db/identifiers.js';
import { HISTORY_TABLE, LOCK_TABLE } from './types.js';

type Row = Record<string, unknown>;

/**
 * One connection held for a whole migrate run: the lock, the transaction and the history writes all go through it.
 * `query` takes `?` placeholders on every engine.
 */
export interface MigrationSession {
  engine: Engine;
  target: string;
  /**
   * The history table qualified with the schema (database) the session started in, quoted: a migration that changes
   * search_path (pg_dump's `set_config('search_path', '', false)`) or runs `USE` does not move opsctl's bookkeeping.
   */
  historyTable: string;
  /** That schema (PostgreSQL) or database (MySQL), or null when the session had none. */
  schema: string | null;
  query<T = Row>(sql: string, params?: unknown[]): Promise<T[]>;
  /** One statement of a migration, no parameters. */
  run(sql: string): Promise<void>;
  /** Takes the migration lock, waiting up to `timeoutMs`; throws LockHeldError naming the holder. */
  lock(timeoutMs: number, signal?: AbortSignal): Promise<void>;
  unlock(): Promise<void>;
  /** Who holds the migration lock now, or null when nobody does (status tells a running migration from a dirty one). */
  holder(): Promise<string | null>;
  release(): Promise<void>;
}

/** Who we are, as the lock holder and `applied_by`. */
export function whoAmI(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    /* no passwd entry (containers) */
  }
  return `${user}@${hostname()} pid ${process.pid}`;
}

// pg_advisory_lock(int4, int4): 'opsc', 'migr'. Advisory locks are per database, so two databases never block each other.
const PG_LOCK = [0x6f707363, 0x6d696772] as const;

export async function openSession(target: SqlTarget): Promise<MigrationSession> {
  switch (target.engine) {
    case 'postgres':
      return postgresSession(target as PostgresTarget);
    case 'mysql':
      return mysqlSession(target as MysqlTarget);
    case 'pglite':
      return pgliteSession(target as PgliteTarget);
  }
}

async function pollLock(
  timeoutMs: number,
  signal: AbortSignal | undefined,
  tryLock: () => Promise<boolean>,
  holder: () => Promise<string | null>,
  target: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    throwIfAborted(signal);
    if (await tryLock()) return;
    if (Date.now() >= deadline) {
      const who = (await holder().catch(() => null)) ?? 'a session that has just let go';
      throw new LockHeldError(`migrations on target "${target}" are locked by ${who}; waited ${timeoutMs} ms`, {
        hint: 'Another `opsctl migrate` is running on this database: wait for it, or raise migrations.lockTimeout (--lock-timeout).',
        details: { holder: who },
      });
    }
    await sleep(Math.min(200, Math.max(10, deadline - Date.now())), signal);
  }
}

async function postgresSession(target: PostgresTarget): Promise<MigrationSession> {
  const client: PoolClient = await target.native.connect();
  const me = `opsctl migrate ${whoAmI()}`.slice(0, 63);
  let broken = false;
  const onError = () => (broken = true);
  client.on('error', onError);
  const query = async <T>(sql: string, params: unknown[] = []) =>
    (await client.query(toNumberedPlaceholders(sql), params)).rows as T[];
  let named = false;
  const schema = await currentSchema(query);
  const holder = async (): Promise<string | null> => {
    const rows = await query<{
      pid: number;
      app: string | null;
      addr: string | null;
      since: string | null;
      usename: string | null;
    }>(
      `SELECT a.pid, a.application_name AS app, a.client_addr::text AS addr, a.backend_start AS since, a.usename
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.classid = ?::oid AND l.objid = ?::oid AND l.objsubid = 2
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [...PG_LOCK],
    );
    const r = rows[0];
    if (!r) return null;
    const app = r.app?.startsWith('opsctl migrate ')
      ? r.app.slice('opsctl migrate '.length)
      : `${r.app || 'a client'} (user ${r.usename ?? '?'}${r.addr ? ` from ${r.addr}` : ''})`;
    return `${app}, PostgreSQL backend ${r.pid}${r.since ? ` connected ${String(r.since)}` : ''}`;
  };
  return {
    engine: 'postgres',
    target: target.name,
    schema,
    historyTable: schema ? quotePg([schema, HISTORY_TABLE]) : HISTORY_TABLE,
    query,
    async run(sql) {
      await client.query(sql);
    },
    async lock(timeoutMs, signal) {
      // The holder is named through application_name, which a waiting run reads from pg_stat_activity.
      if (!named) await query('SELECT set_config(?, ?, false)', ['application_name', me]);
      named = true;
      return pollLock(
        timeoutMs,
        signal,
        async () =>
          (await query<{ ok: boolean }>('SELECT pg_try_advisory_lock(?::int4, ?::int4) AS ok', [...PG_LOCK]))[0]?.ok ===
          true,
        holder,
        target.name,
      );
    },
    async unlock() {
      await query('SELECT pg_advisory_unlock(?::int4, ?::int4)', [...PG_LOCK]);
    },
    holder,
    async release() {
      client.off('error', onError);
      if (named) await client.query("SELECT set_config('application_name', 'opsctl', false)").catch(() => undefined);
      client.release(broken);
    },
  };
}

async function mysqlSession(target: MysqlTarget): Promise<MigrationSession> {
  const conn: PoolConnection = await target.native.getConnection();
  const query = async <T>(sql: string, params: unknown[] = []) => {
    const [rows] = await conn.query(sql, params);
    return (Array.isArray(rows) ? rows : []) as T[];
  };
  const [{ db } = { db: '' }] = await query<{ db: string | null }>('SELECT DATABASE() AS db').then((r) =>
    r.map((x) => ({ db: x.db ?? '' })),
  );
  const lockTable = db ? quoteMysql([db, LOCK_TABLE]) : LOCK_TABLE;
  // GET_LOCK names are server-wide (64 characters at most): one per database.
  const lockName = `opsctl_migrate:${db}`.slice(0, 64);
  const me = whoAmI();
  const holder = async (): Promise<string | null> => {
    const id = (await query<{ id: number | null }>('SELECT IS_USED_LOCK(?) AS id', [lockName]))[0]?.id;
    if (id === null || id === undefined) return null;
    const mine = await query<{ holder: string; since: string }>(
      `SELECT holder, since FROM ${lockTable} WHERE lock_name = ? AND connection_id = ?`,
      [lockName, id],
    ).catch(() => []);
    if (mine[0]) return `${mine[0].holder} (connection ${id}, since ${mine[0].since})`;
    const proc = await query<{ USER: string; HOST: string; TIME: number }>(
      'SELECT USER, HOST, TIME FROM information_schema.PROCESSLIST WHERE ID = ?',
      [id],
    ).catch(() => []);
    return proc[0] ? `connection ${id} (${proc[0].USER}@${proc[0].HOST}, ${proc[0].TIME}s)` : `connection ${id}`;
  };
  return {
    engine: 'mysql',
    target: target.name,
    schema: db || null,
    historyTable: db ? quoteMysql([db, HISTORY_TABLE]) : HISTORY_TABLE,
    query,
    async run(sql) {
      await conn.query(sql);
    },
    lock(timeoutMs, signal) {
      return pollLock(
        timeoutMs,
        signal,
        async () => {
          const got =
            Number((await query<{ ok: number | null }>('SELECT GET_LOCK(?, 0) AS ok', [lockName]))[0]?.ok) === 1;
          if (got) {
            await query(
              `CREATE TABLE IF NOT EXISTS ${lockTable} (lock_name VARCHAR(64) PRIMARY KEY, holder VARCHAR(255) NOT NULL, connection_id BIGINT NOT NULL, since VARCHAR(32) NOT NULL)`,
            );
            await query(
              `REPLACE INTO ${lockTable} (lock_name, holder, connection_id, since) VALUES (?, ?, CONNECTION_ID(), ?)`,
              [lockName, me, new Date().toISOString()],
            );
          }
          return got;
        },
        holder,
        target.name,
      );
    },
    async unlock() {
      await query('SELECT RELEASE_LOCK(?)', [lockName]);
    },
    holder,
    async release() {
      conn.release();
    },
  };
}

async function pgliteSession(target: PgliteTarget): Promise<MigrationSession> {
  const db = target.native;
  const query = async <T>(sql: string, params: unknown[] = []) =>
    (await db.query<T>(toNumberedPlaceholders(sql), params)).rows;
  const schema = await currentSchema(query);
  return {
    engine: 'pglite',
    target: target.name,
    schema,
    historyTable: schema ? quotePg([schema, HISTORY_TABLE]) : HISTORY_TABLE,
    query,
    async run(sql) {
      await db.exec(sql);
    },
    // PGlite serves one process, and openPgliteTarget already holds the data directory's lock file.
    async lock() {},
    async unlock() {},
    async holder() {
      return null;
    },
    async release() {},
  };
}

/** The schema unqualified names resolve to when the session starts (null when search_path names none that exists). */
async function currentSchema(query: <T>(sql: string, params?: unknown[]) => Promise<T[]>): Promise<string | null> {
  return (await query<{ s: string | null }>('SELECT current_schema() AS s'))[0]?.s ?? null;
}
