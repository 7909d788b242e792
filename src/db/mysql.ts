import mysql from 'mysql2/promise';
import type { TargetConfig } from '../config/schema.js';
import { ConnectionError } from '../errors.js';
import { redactUrlPasswords } from '../log/redact.js';
import type { OpenTargetOptions, SqlTarget } from './target.js';

type MysqlConfig = Extract<TargetConfig, { engine: 'mysql' }>;

export interface MysqlTarget extends SqlTarget {
  readonly engine: 'mysql';
  readonly native: mysql.Pool;
  readonly url: string;
}

/** mysql2 speaks to MySQL and MariaDB alike; `mariadb://` URLs are accepted and treated as `mysql://`. */
export async function openMysqlTarget(
  name: string,
  config: MysqlConfig,
  options: OpenTargetOptions = {},
): Promise<MysqlTarget> {
  const location = redactUrlPasswords(config.url);
  const url = new URL(config.url.replace(/^mariadb:/i, 'mysql:'));
  const pool = mysql.createPool({
    host: url.hostname,
    port: url.port ? Number(url.port) : 3306,
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || undefined,
    connectionLimit: config.pool.max,
    idleTimeout: config.pool.idleTimeoutMs,
    connectTimeout: options.connectTimeoutMs ?? config.pool.connectTimeoutMs,
    multipleStatements: false,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: false,
    timezone: 'Z',
    // mysql2 asks for IGNORE_SPACE by default, which the server adds to the session's sql_mode, and every trigger,
    // procedure and function a migration creates keeps the sql_mode it was created under: without it they are the
    // ones the mysql/mariadb client (and dbmate's driver) would create from the same file.
    flags: ['-IGNORE_SPACE'],
  });
  try {
    const conn = await pool.getConnection();
    conn.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    const e = error as { code?: string; message?: string };
    const why =
      e.code === 'ECONNREFUSED'
        ? 'connection refused'
        : e.code === 'ER_BAD_DB_ERROR'
          ? 'database does not exist'
          : e.code === 'ER_ACCESS_DENIED_ERROR'
            ? 'authentication failed'
            : (e.message ?? String(error));
    throw new ConnectionError(`target "${name}" (${location}) is unreachable: ${why}`, {
      hint: `Check that the server is running and targets.${name}.url is right.`,
      cause: error,
    });
  }
  return {
    name,
    engine: 'mysql',
    location,
    url: config.url,
    native: pool,
    async query<T>(sql: string, params: unknown[] = []) {
      const [rows] = await pool.query(sql, params);
      return (Array.isArray(rows) ? rows : []) as T[];
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
    async serverVersion() {
      const [rows] = await pool.query('SELECT VERSION() AS v');
      const v = String((rows as Array<{ v: string }>)[0]?.v ?? '?');
      return /mariadb/i.test(v) ? `MariaDB ${v.replace(/-MariaDB.*$/i, '')}` : `MySQL ${v}`;
    },
    async close() {
      await pool.end();
    },
  };
}
