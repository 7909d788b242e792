import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { currentProcess, isProcessAlive, type ProcessIdentity } from './process.js';
import { sleep } from './sleep.js';

export interface FileLockHolder extends ProcessIdentity {
  purpose: string;
  since: string;
}

/**
 * An exclusive lock file (O_EXCL), for resources that only one process may open at a time (a PGlite data directory).
 * A lock file left by a dead process is removed. Returns a release function.
 */
export async function acquireFileLock(
  path: string,
  options: { purpose: string; waitMs?: number; signal?: AbortSignal },
): Promise<{ release: () => void } | { holder: FileLockHolder }> {
  const deadline = Date.now() + (options.waitMs ?? 0);
  mkdirSync(dirname(path), { recursive: true });
  for (;;) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      const me: FileLockHolder = { ...currentProcess(), purpose: options.purpose, since: new Date().toISOString() };
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        rmSync(path, { force: true });
        process.off('exit', release);
      };
      process.on('exit', release);
      return { release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(path);
    if (!holder || isProcessAlive(holder) === false) {
      rmSync(path, { force: true });
      continue;
    }
    if (Date.now() >= deadline || options.signal?.aborted) return { holder };
    await sleep(100, options.signal).catch(() => undefined); // an abort returns the holder on the next turn
  }
}

function readHolder(path: string): FileLockHolder | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as FileLockHolder;
  } catch {
    return undefined; // half-written or vanished: treat as stale
  }
}

/** Who holds the lock file at `path` now, without taking it: undefined when it is free or its holder is dead. */
export function lockHolder(path: string): FileLockHolder | undefined {
  const holder = readHolder(path);
  if (!holder) return undefined;
  return isProcessAlive(holder) === false ? undefined : holder;
}
