import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { finished, pipeline } from 'node:stream/promises';
import type pg from 'pg';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { from as copyFrom } from 'pg-copy-streams';
import type { SqlTarget } from '../../db/target.js';
import { UsageError } from '../../errors.js';

/**
 * One table's load, inside one target transaction: a temporary staging table (dropped at commit) receives the rows
 * through COPY, batch by batch, then the caller merges it into the table with one INSERT … ON CONFLICT. Nothing is
 * visible until COMMIT; a process killed at any point leaves the target as it was (the server rolls the transaction
 * back when the connection drops; PGlite recovers from its WAL at the next open).
 */
export interface LoadSession {
  /** Appends rows in COPY text format (tab-separated lines, `\N` for null) to the staging table. */
  copy(text: string): Promise<void>;
  /**
   * PostgreSQL only: appends a CSV file (no header, NULL as an unquoted empty field) to the staging table (or to
   * `into`, a table and its column list), the bytes going from the file to the server without being parsed here.
   */
  copyCsvFile?(file: string, into?: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a statement and returns the number of rows it affected. */
  exec(sql: string): Promise<number>;
}

export interface LoadOptions {
  /** The staging table's DDL (CREATE TEMP TABLE … ON COMMIT DROP) and its name and column list for COPY. */
  stageDdl: string;
  copyInto: string;
  /** false: roll back at the end (dry run). */
  commit: boolean;
}

const SETUP = ["SET LOCAL timezone = 'UTC'", "SET LOCAL work_mem = '256MB'"];
/**
 * Staging of a million rows is ~150 MB: with the default 8 MB of temp buffers it is written out to files and read back
 * by the merge (a 1,000,000-row scan of it 0.5–0.65 s against 0.19–0.24 s held in memory, measured here). The value can
 * only change before the session's first temporary table, hence a session SET before the transaction, and a refusal is
 * harmless (the load runs with the server's value).
 */
const TEMP_BUFFERS = "SET temp_buffers = '256MB'";

export async function inLoadTransaction<T>(
  target: SqlTarget,
  options: LoadOptions,
  fn: (s: LoadSession) => Promise<T>,
): Promise<T> {
  if (target.engine === 'postgres') return pgLoad((target as SqlTarget & { native: pg.Pool }).native, options, fn);
  if (target.engine === 'pglite') return pgliteLoad((target as SqlTarget & { native: PGlite }).native, options, fn);
  throw new UsageError(`target "${target.name}" is ${target.engine}: the sync loads PostgreSQL and PGlite targets`, {
    hint: 'Point the sync pipeline at a postgres or pglite target.',
  });
}

async function pgLoad<T>(pool: pg.Pool, options: LoadOptions, fn: (s: LoadSession) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  let copy: ReturnType<typeof copyFrom> | undefined;
  let copyError: Error | undefined;
  let csvInFlight = false;
  const endCopy = async () => {
    if (!copy) return;
    const c = copy;
    copy = undefined;
    c.end();
    await finished(c);
  };
  const session: LoadSession = {
    async copy(text) {
      if (!text) return;
      if (copyError) throw copyError;
      if (!copy) {
        // A few MB may wait in the stream: the warehouse read goes on while the server consumes the previous batch.
        copy = client.query(copyFrom(`COPY ${options.copyInto} FROM STDIN`, { highWaterMark: 4 * 1024 * 1024 }));
        copy.on('error', (e: Error) => (copyError = e));
      }
      if (!copy.write(text))
        await Promise.race([once(copy, 'drain'), once(copy, 'error').then(([e]) => Promise.reject(e as Error))]);
    },
    async copyCsvFile(file, into = options.copyInto) {
      await endCopy();
      csvInFlight = true;
      try {
        await pipeline(
          createReadStream(file, { highWaterMark: 1024 * 1024 }),
          client.query(copyFrom(`COPY ${into} FROM STDIN (FORMAT csv)`)),
        );
        csvInFlight = false;
      } catch (error) {
        // The server refused the rows (a duplicate key, a bad value): it has ended the COPY and the connection waits
        // in the failed transaction, so a ROLLBACK TO SAVEPOINT can still run on it. Any other failure (the file, the
        // socket) leaves the protocol state unknown, and the connection is destroyed at the end.
        if (isServerError(error)) csvInFlight = false;
        throw error;
      }
    },
    async query<R>(sql: string, params: unknown[] = []) {
      await endCopy();
      return (await client.query(sql, params)).rows as R[];
    },
    async exec(sql) {
      await endCopy();
      return (await client.query(sql)).rowCount ?? 0;
    },
  };
  try {
    await client.query(TEMP_BUFFERS).catch(() => undefined);
    await client.query('BEGIN');
    for (const s of SETUP) await client.query(s);
    await client.query(options.stageDdl);
    const result = await fn(session);
    await endCopy();
    await client.query(options.commit ? 'COMMIT' : 'ROLLBACK');
    return result;
  } catch (error) {
    broken = error as Error;
    if (copy || csvInFlight) {
      // A COPY in flight cannot be rolled back on this connection: destroy it, the server aborts the transaction.
      copy?.destroy();
      throw error;
    }
    await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw error;
  } finally {
    client.release(copy || csvInFlight ? (broken ?? true) : undefined);
  }
}

/** An ErrorResponse from the server (pg's DatabaseError carries its severity and SQLSTATE), duck-typed so this module
 * does not load pg for a PGlite target. */
function isServerError(error: unknown): boolean {
  const e = error as { severity?: unknown; code?: unknown } | null;
  return typeof e?.severity === 'string' && typeof e.code === 'string';
}

async function pgliteLoad<T>(db: PGlite, options: LoadOptions, fn: (s: LoadSession) => Promise<T>): Promise<T> {
  let result: T;
  // Thrown out of the transaction callback to end a dry run without committing, and recognised by identity.
  const rollback = new Error('dry run: rolled back');
  try {
    await db.transaction(async (tx: Transaction) => {
      for (const s of SETUP) await tx.exec(s);
      await tx.exec(options.stageDdl);
      result = await fn({
        async copy(text) {
          if (!text) return;
          // PGlite reads COPY FROM '/dev/blob' from the blob given with the query: one blob per batch bounds memory.
          await tx.query(`COPY ${options.copyInto} FROM '/dev/blob'`, [], { blob: new Blob([text]) });
        },
        async query<R>(sql: string, params: unknown[] = []) {
          return (await tx.query<R>(sql, params)).rows;
        },
        async exec(sql) {
          return (await tx.query(sql)).affectedRows ?? 0;
        },
      });
      if (!options.commit) {
        await tx.rollback();
        throw rollback;
      }
    });
  } catch (error) {
    if (error !== rollback) throw error;
  }
  return result!;
}
