import type { TargetConfig } from '../config/schema.js';
import { withSqlTrace } from '../log/trace.js';

export type Engine = TargetConfig['engine'];
export type Row = Record<string, unknown>;

/**
 * A database opsctl migrates, backs up or syncs into. `query` takes the engine's own placeholders ($1 on PostgreSQL
 * and PGlite, ? on MySQL); engine-specific capabilities (COPY, dumps, advisory locks) live in the modules that need
 * them and reach the driver through `native`.
 */
export interface SqlTarget {
  readonly name: string;
  readonly engine: Engine;
  /** Where it is, fit for printing: a URL without password, or a path. */
  readonly location: string;
  query<T = Row>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Several statements, no parameters. */
  exec(sql: string): Promise<void>;
  serverVersion(): Promise<string>;
  close(): Promise<void>;
}

export interface OpenTargetOptions {
  /** How long to wait for a PGlite data directory another process holds. */
  waitMs?: number;
  signal?: AbortSignal;
  connectTimeoutMs?: number;
}

export async function openTarget(
  name: string,
  config: TargetConfig,
  options: OpenTargetOptions = {},
): Promise<SqlTarget> {
  const target = await openEngine(name, config, options);
  // --log-level debug: each statement with its duration (src/log/trace.ts).
  return withSqlTrace(
    target,
    { engine: target.engine, db: name, dialect: target.engine === 'mysql' ? 'mysql' : 'postgres' },
    ['query', 'exec'],
  );
}

async function openEngine(name: string, config: TargetConfig, options: OpenTargetOptions): Promise<SqlTarget> {
  switch (config.engine) {
    case 'postgres':
      return (await import('./postgres.js')).openPostgresTarget(name, config, options);
    case 'mysql':
      return (await import('./mysql.js')).openMysqlTarget(name, config, options);
    case 'pglite':
      return (await import('./pglite.js')).openPgliteTarget(name, config, options);
  }
}
