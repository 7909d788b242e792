import { LockHeldError } from '../errors.js';
import { currentProcess, isProcessAlive } from '../util/process.js';
import { num, numOrNull } from './json.js';
import { failOrphanedRuns, type Run } from './runs.js';
import type { StateStore } from './store.js';

export interface LockHolder {
  name: string;
  host: string;
  pid: number;
  operation: string | null;
  runId: number | null;
  acquiredAt: string;
  heartbeatAt: string;
}

export type AcquireResult =
  { acquired: true; tookOverFrom?: LockHolder; closedRuns?: Run[] } | { acquired: false; holder: LockHolder };

interface Row {
  name: string;
  host: string;
  pid: number;
  process_start: string | null;
  operation: string | null;
  run_id: number | null;
  acquired_at: string;
  heartbeat_at: string;
}

const toHolder = (r: Row): LockHolder => ({
  name: r.name,
  host: r.host,
  pid: num(r.pid),
  operation: r.operation,
  runId: numOrNull(r.run_id),
  acquiredAt: r.acquired_at,
  heartbeatAt: r.heartbeat_at,
});

export function describeHolder(h: LockHolder): string {
  return `pid ${h.pid} on ${h.host}${h.operation ? ` (${h.operation}${h.runId ? ` run ${h.runId}` : ''})` : ''} since ${h.acquiredAt}`;
}

/**
 * A named lock in the state store (one per pipeline, sync table, …). A lock whose holder provably died (same host,
 * pid gone or recycled) is taken over at once; one held from another host is taken over only after its heartbeat is
 * older than `staleAfterMs`. Taking over closes, in the same transaction, the runs the gone holder left running (as
 * failed, with the reason), whatever operation takes the lock: `etl run`, `sync run`, a watermark change, the console.
 */
export async function acquireLock(
  store: StateStore,
  name: string,
  options: { operation?: string; runId?: number | null; staleAfterMs?: number } = {},
): Promise<AcquireResult> {
  const me = currentProcess();
  const staleAfterMs = options.staleAfterMs ?? 10 * 60_000;
  return store.transaction(
    async (tx) => {
      const now = new Date().toISOString();
      const rows = await tx.query<Row>('SELECT * FROM locks WHERE name = ?', [name]);
      const existing = rows[0];
      let tookOverFrom: LockHolder | undefined;
      let closedRuns: Run[] = [];
      if (existing) {
        const mine = existing.host === me.host && num(existing.pid) === me.pid;
        const alive = isProcessAlive({ host: existing.host, pid: num(existing.pid), start: existing.process_start });
        const stale =
          alive === false ||
          (alive === undefined && Date.now() - new Date(existing.heartbeat_at).getTime() > staleAfterMs);
        if (!mine && !stale) return { acquired: false as const, holder: toHolder(existing) };
        if (!mine) {
          tookOverFrom = toHolder(existing);
          closedRuns = await failOrphanedRuns(tx, {
            holder: { host: existing.host, pid: num(existing.pid) },
            staleAfterMs,
            closedBy: `closed when ${options.operation ?? 'another run'} took over lock ${name}`,
          });
        }
        await tx.run('DELETE FROM locks WHERE name = ?', [name]);
      }
      await tx.run(
        'INSERT INTO locks (name, host, pid, process_start, operation, run_id, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [name, me.host, me.pid, me.start, options.operation ?? null, options.runId ?? null, now, now],
      );
      return tookOverFrom
        ? { acquired: true as const, tookOverFrom, ...(closedRuns.length ? { closedRuns } : {}) }
        : { acquired: true as const };
    },
    { lockKey: `lock:${name}` },
  );
}

/** Acquires or throws LockHeldError naming the holder. */
export async function acquireLockOrThrow(
  store: StateStore,
  name: string,
  options: { operation?: string; runId?: number | null; staleAfterMs?: number; what?: string } = {},
): Promise<{ tookOverFrom?: LockHolder; closedRuns?: Run[] }> {
  const result = await acquireLock(store, name, options);
  if (!result.acquired) {
    throw new LockHeldError(`${options.what ?? name} is locked by ${describeHolder(result.holder)}`, {
      hint: 'Another run is in progress; wait for it to finish. A lock left by a killed process is taken over automatically once that process is gone.',
      details: { lock: result.holder },
    });
  }
  return result.tookOverFrom
    ? { tookOverFrom: result.tookOverFrom, ...(result.closedRuns ? { closedRuns: result.closedRuns } : {}) }
    : {};
}

export async function releaseLock(store: StateStore, name: string): Promise<void> {
  const me = currentProcess();
  await store.run('DELETE FROM locks WHERE name = ? AND host = ? AND pid = ?', [name, me.host, me.pid]);
}

export async function heartbeatLock(store: StateStore, name: string): Promise<void> {
  const me = currentProcess();
  await store.run('UPDATE locks SET heartbeat_at = ? WHERE name = ? AND host = ? AND pid = ?', [
    new Date().toISOString(),
    name,
    me.host,
    me.pid,
  ]);
}

export async function listLocks(store: StateStore): Promise<LockHolder[]> {
  return (await store.query<Row>('SELECT * FROM locks ORDER BY name')).map(toHolder);
}

/** Runs `fn` holding the lock, and releases it whatever happens. */
export async function withLock<T>(
  store: StateStore,
  name: string,
  options: { operation?: string; runId?: number | null; staleAfterMs?: number; what?: string; heartbeatMs?: number },
  fn: () => Promise<T>,
): Promise<T> {
  await acquireLockOrThrow(store, name, options);
  const timer = setInterval(
    () => void heartbeatLock(store, name).catch(() => undefined),
    options.heartbeatMs ?? 30_000,
  );
  timer.unref();
  try {
    return await fn();
  } finally {
    clearInterval(timer);
    await releaseLock(store, name);
  }
}
