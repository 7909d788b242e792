import pg from 'pg';
import { ConnectionError } from '../errors.js';
import { redactUrlPasswords } from '../log/redact.js';
import { quotePg } from '../db/identifiers.js';
import { opsctlPgTypes } from '../db/pg-types.js';
import { normalizeParam, postgresDialect, toNumberedPlaceholders } from './dialect.js';
import type { SqlRunner, StateStore, TransactionOptions } from './store.js';

/**
 * The production state store. Tables live in their own schema (default `opsctl`, or `?schema=` on the URL) so they
 * never collide with application tables in a shared database.
 */
export async function openPostgresStore(url: string): Promise<StateStore> {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? 'opsctl';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new ConnectionError(`invalid state schema name "${schema}"`, {
      hint: 'Use lowercase letters, digits and _ in ?schema=.',
    });
  }
  parsed.searchParams.delete('schema');
  const location = redactUrlPasswords(url);
  const pool = new pg.Pool({
    connectionString: parsed.toString(),
    max: 4,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 5_000,
    types: opsctlPgTypes,
    application_name: 'opsctl',
    options: `-c search_path=${schema}`,
  });
  pool.on('error', () => undefined); // an idle client's error surfaces on the next query instead of crashing us

  const fail = (error: unknown): never => {
    throw new ConnectionError(`state store ${location} is unreachable: ${(error as Error).message}`, {
      hint: 'Check that PostgreSQL is running and OPSCTL_STATE_URL is right (or unset it to use the embedded SQLite store).',
      cause: error,
    });
  };
  try {
    const client = await pool.connect();
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quotePg(schema)}`);
    } catch (error) {
      // CREATE SCHEMA races between processes; the loser sees a unique violation on the namespace.
      if ((error as { code?: string }).code !== '23505' && (error as { code?: string }).code !== '42P06') throw error;
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    fail(error);
  }

  const runnerFor = (q: pg.Pool | pg.PoolClient): SqlRunner => ({
    dialect: postgresDialect,
    async query<T>(sql: string, params: unknown[] = []) {
      const res = await q.query(
        toNumberedPlaceholders(sql),
        params.map((p) => normalizeParam(p, 'postgres')),
      );
      return res.rows as T[];
    },
    async run(sql: string, params: unknown[] = []) {
      const res = await q.query(
        toNumberedPlaceholders(sql),
        params.map((p) => normalizeParam(p, 'postgres')),
      );
      return res.rowCount ?? 0;
    },
    async execScript(sql: string) {
      await q.query(sql);
    },
  });
  const poolRunner = runnerFor(pool);

  return {
    kind: 'postgres',
    location,
    ...poolRunner,
    async transaction<T>(fn: (tx: SqlRunner) => Promise<T>, options?: TransactionOptions): Promise<T> {
      const client = await pool.connect().catch(fail);
      try {
        await client.query('BEGIN');
        if (options?.lockKey)
          await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`opsctl:${options.lockKey}`]);
        const result = await fn(runnerFor(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async serverVersion() {
      const rows = await poolRunner.query<{ v: string }>("SELECT current_setting('server_version') AS v");
      return `PostgreSQL ${rows[0]?.v ?? '?'}`;
    },
    async close() {
      await pool.end();
    },
  };
}
