import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ConnectionError } from '../errors.js';
import { normalizeParam, sqliteDialect } from './dialect.js';
import type { SqlRunner, StateStore, TransactionOptions } from './store.js';

/** Serialises async work on the single connection so a transaction never interleaves with other queries. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  async lock<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((r) => (release = r));
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

/**
 * The embedded state store: one SQLite file in WAL mode, so cron, the bot and the console can use it at once.
 * Writers wait for each other (busy_timeout) instead of failing.
 */
export function openSqliteStore(path: string, options: { busyTimeoutMs?: number } = {}): StateStore {
  let db: Database.Database;
  try {
    mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 15_000}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
  } catch (error) {
    throw new ConnectionError(`cannot open the state store ${path}: ${(error as Error).message}`, {
      hint: 'Check that OPSCTL_HOME is writable, or point OPSCTL_STATE_URL at another store.',
      cause: error,
    });
  }

  const runner: SqlRunner = {
    dialect: sqliteDialect,
    async query<T>(sql: string, params: unknown[] = []) {
      const stmt = db.prepare(sql);
      const args = params.map((p) => normalizeParam(p, 'sqlite'));
      if (stmt.reader) return stmt.all(...args) as T[];
      stmt.run(...args);
      return [];
    },
    async run(sql: string, params: unknown[] = []) {
      return db.prepare(sql).run(...params.map((p) => normalizeParam(p, 'sqlite'))).changes;
    },
    async execScript(sql: string) {
      db.exec(sql);
    },
  };
  const mutex = new Mutex();

  return {
    kind: 'sqlite',
    location: path,
    dialect: sqliteDialect,
    query: (sql, params) => mutex.lock(() => runner.query(sql, params)),
    run: (sql, params) => mutex.lock(() => runner.run(sql, params)),
    execScript: (sql) => mutex.lock(() => runner.execScript(sql)),
    async transaction<T>(fn: (tx: SqlRunner) => Promise<T>, _options?: TransactionOptions): Promise<T> {
      return mutex.lock(async () => {
        // IMMEDIATE takes the write lock up front, so two processes never both read-then-write.
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(runner);
          db.exec('COMMIT');
          return result;
        } catch (error) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw error;
        }
      });
    },
    async serverVersion() {
      return `SQLite ${(db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v}`;
    },
    async close() {
      await mutex.lock(async () => {
        if (db.open) db.close();
      });
    },
  };
}
