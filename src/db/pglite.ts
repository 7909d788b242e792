import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { TargetConfig } from '../config/schema.js';
import { BusyError, ConnectionError } from '../errors.js';
import { acquireFileLock } from '../util/file-lock.js';
import { tightenTree } from '../util/private-files.js';
import type { OpenTargetOptions, SqlTarget } from './target.js';

type PgliteConfig = Extract<TargetConfig, { engine: 'pglite' }>;

export interface PgliteTarget extends SqlTarget {
  readonly engine: 'pglite';
  readonly native: PGlite;
  readonly path: string;
}

/**
 * PGlite serves one process: two processes opening the same data directory would corrupt it. A lock file beside the
 * directory makes the second one wait (up to `waitMs`) and then say who holds it.
 */
export async function openPgliteTarget(
  name: string,
  config: PgliteConfig,
  options: OpenTargetOptions = {},
): Promise<PgliteTarget> {
  const path = config.path;
  if (!path) throw new ConnectionError(`target "${name}" has no data directory`, { hint: `Set targets.${name}.path.` });
  const lock = await acquireFileLock(`${path}.lock`, {
    purpose: `pglite target ${name}`,
    waitMs: options.waitMs ?? 15_000,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if ('holder' in lock) {
    throw new BusyError(
      `target "${name}" (${path}) is in use by pid ${lock.holder.pid} on ${lock.holder.host} since ${lock.holder.since}`,
      {
        hint: 'PGlite serves one process at a time; wait for that process to finish.',
      },
    );
  }
  let db: PGlite;
  try {
    mkdirSync(dirname(path), { recursive: true });
    const { PGlite } = await import('@electric-sql/pglite');
    db = await PGlite.create(path);
    // PGlite chmods its files 0666 whatever the umask: make them the owner's alone (see util/private-files.ts).
    tightenTree(path, { always: true });
  } catch (error) {
    lock.release();
    throw new ConnectionError(`cannot open PGlite target "${name}" at ${path}: ${(error as Error).message}`, {
      hint: 'The data directory may be damaged or written by another PGlite version; move it away to start afresh.',
      cause: error,
    });
  }
  return {
    name,
    engine: 'pglite',
    location: path,
    path,
    native: db,
    async query<T>(sql: string, params: unknown[] = []) {
      return (await db.query<T>(sql, params)).rows;
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
    async serverVersion() {
      const rows = (await db.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows;
      return `PGlite (PostgreSQL ${rows[0]?.v ?? '?'})`;
    },
    async close() {
      try {
        if (!db.closed) await db.close();
        tightenTree(path, { always: true });
      } finally {
        lock.release();
      }
    },
  };
}
