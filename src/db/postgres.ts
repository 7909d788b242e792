import pg from 'pg';
import type { TargetConfig } from '../config/schema.js';
import { ConnectionError } from '../errors.js';
import { redactUrlPasswords } from '../log/redact.js';
import { opsctlPgTypes } from './pg-types.js';
import type { OpenTargetOptions, SqlTarget } from './target.js';

type PostgresConfig = Extract<TargetConfig, { engine: 'postgres' }>;

export interface PostgresTarget extends SqlTarget {
  readonly engine: 'postgres';
  readonly native: pg.Pool;
  readonly url: string;
}

export async function openPostgresTarget(
  name: string,
  config: PostgresConfig,
  options: OpenTargetOptions = {},
): Promise<PostgresTarget> {
  const location = redactUrlPasswords(config.url);
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.pool.max,
    idleTimeoutMillis: config.pool.idleTimeoutMs,
    connectionTimeoutMillis: options.connectTimeoutMs ?? config.pool.connectTimeoutMs,
    types: opsctlPgTypes,
    application_name: 'opsctl',
  });
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw connectionError(name, location, error);
  }
  return {
    name,
    engine: 'postgres',
    location,
    url: config.url,
    native: pool,
    async query<T>(sql: string, params: unknown[] = []) {
      return (await pool.query(sql, params)).rows as T[];
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
    async serverVersion() {
      const rows = (await pool.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows;
      return `PostgreSQL ${rows[0]?.v ?? '?'}`;
    },
    async close() {
      await pool.end();
    },
  };
}

export function connectionError(name: string, location: string, error: unknown): ConnectionError {
  const e = error as { code?: string; message?: string };
  const why =
    e.code === 'ECONNREFUSED'
      ? 'connection refused'
      : e.code === '3D000'
        ? 'database does not exist'
        : e.code === '28P01' || e.code === '28000'
          ? 'authentication failed'
          : (e.message ?? String(error));
  return new ConnectionError(`target "${name}" (${location}) is unreachable: ${why}`, {
    hint: `Check that the server is running and targets.${name}.url (or DATABASE_URL) is right.`,
    cause: error,
  });
}
