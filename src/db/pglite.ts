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
  if (keep) return borrow(name, path, options);
  const opened = await bootPglite(name, path, options, `pglite target ${name}`);
  return lend(name, path, opened.db, async () => {
    try {
      if (!opened.db.closed) await opened.db.close();
      tightenTree(path, { always: true });
    } finally {
      opened.release();
    }
  });
}

/** Takes the data directory's lock file and boots PostgreSQL in WASM on it. */
async function bootPglite(
  name: string,
  path: string,
  options: OpenTargetOptions,
  purpose: string,
): Promise<{ db: PGlite; release: () => void }> {
  const lock = await acquireFileLock(`${path}.lock`, {
    purpose,
    waitMs: options.waitMs ?? 15_000,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if ('holder' in lock) {
    throw new BusyError(
      `target "${name}" (${path}) is in use by pid ${lock.holder.pid} on ${lock.holder.host} since ${lock.holder.since}`,
      {
        hint: `PGlite serves one process at a time; wait for that process to finish (it holds it for: ${lock.holder.purpose}).`,
      },
    );
  }
  try {
    mkdirSync(dirname(path), { recursive: true });
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create(path);
    // PGlite chmods its files 0666 whatever the umask: make them the owner's alone (see util/private-files.ts).
    tightenTree(path, { always: true });
    return { db, release: lock.release };
  } catch (error) {
    lock.release();
    throw new ConnectionError(`cannot open PGlite target "${name}" at ${path}: ${(error as Error).message}`, {
      hint: 'The data directory may be damaged or written by another PGlite version; move it away to start afresh.',
      cause: error,
    });
  }
}

function lend(name: string, path: string, db: PGlite, close: () => Promise<void>): PgliteTarget {
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
    close,
  };
}

/**
 * Kept open: a long-lived process (the console's engine worker) boots each PGlite data directory once and lends the
 * instance to one user at a time, instead of booting PostgreSQL in WASM (~1 s of CPU, several under load, ~300 MB) for
 * every operation and every refresh. The lock file is held meanwhile, so other processes see the directory in use
 * (and who holds it); after `idleMs` without a user the instance is closed and the lock released. A one-shot CLI
 * command does not keep anything open.
 */
let keep: { idleMs: number; purpose: string } | undefined;

interface Kept {
  opening: Promise<{ db: PGlite; release: () => void }>;
  busy: boolean;
  /** Users waiting for the instance, first come first served. */
  queue: Array<() => void>;
  idle: NodeJS.Timeout | undefined;
}
const kept = new Map<string, Kept>();

/** From now on this process keeps what it opens (undefined: stops; what is open stays until closeKeptPglite). */
export function keepPgliteOpen(options: { idleMs: number; purpose: string } | undefined): void {
  keep = options;
}

/** Whether this process holds `path` open for later users (the health check then asks it instead of the files). */
export function isPgliteKeptOpen(path: string): boolean {
  return kept.has(path);
}

/** Closes every kept-open instance (the console quitting). */
export async function closeKeptPglite(): Promise<void> {
  await Promise.all([...kept.keys()].map((path) => shut(path)));
}

async function shut(path: string): Promise<void> {
  const entry = kept.get(path);
  if (!entry) return;
  kept.delete(path);
  clearTimeout(entry.idle);
  const opened = await entry.opening.catch(() => undefined);
  if (!opened) return;
  try {
    if (!opened.db.closed) await opened.db.close();
    tightenTree(path, { always: true });
  } finally {
    opened.release();
  }
}

async function borrow(name: string, path: string, options: OpenTargetOptions): Promise<PgliteTarget> {
  let entry = kept.get(path);
  if (!entry) {
    const created: Kept = {
      opening: bootPglite(name, path, options, keep!.purpose),
      busy: true,
      queue: [],
      idle: undefined,
    };
    entry = created;
    kept.set(path, created);
    // A failed boot is not kept: whoever waited for it tries again (and gets its own error).
    created.opening.catch(() => {
      kept.delete(path);
      for (const wake of created.queue.splice(0)) wake();
    });
  } else {
    await waitTurn(name, path, entry, options);
    if (kept.get(path) !== entry) return borrow(name, path, options);
  }
  clearTimeout(entry.idle);
  const { db } = await entry.opening;
  const current = entry;
  let returned = false;
  return lend(name, path, db, async () => {
    if (returned) return;
    returned = true;
    // The next user starts from a fresh session, as if it had opened the directory itself.
    try {
      if (db.isInTransaction()) await db.exec('ROLLBACK');
      await db.exec('DISCARD ALL');
    } catch {
      await shut(path); // a session that cannot be reset is not lent again; whoever waits boots a new one
      for (const wake of current.queue.splice(0)) wake();
      return;
    }
    const next = current.queue.shift();
    if (next) return next();
    current.busy = false;
    current.idle = setTimeout(() => void shut(path), keep?.idleMs ?? 0);
    current.idle.unref();
  });
}

/** Waits until the kept instance is free: at most `waitMs` (15 s by default), like the lock file of another process. */
function waitTurn(name: string, path: string, entry: Kept, options: OpenTargetOptions): Promise<void> {
  if (!entry.busy) {
    entry.busy = true;
    return Promise.resolve();
  }
  return new Promise<void>((resolve, reject) => {
    const turn = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', refuse);
      resolve();
    };
    const refuse = () => {
      entry.queue.splice(entry.queue.indexOf(turn), 1);
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', refuse);
      reject(
        new BusyError(`target "${name}" (${path}) is in use by another job of this process`, {
          hint: "PGlite serves one user at a time; wait for that job to finish (J lists the console's jobs).",
        }),
      );
    };
    const timer = setTimeout(refuse, options.waitMs ?? 15_000);
    options.signal?.addEventListener('abort', refuse, { once: true });
    entry.queue.push(turn);
  });
}
