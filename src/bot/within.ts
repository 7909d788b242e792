import { setTimeout as sleep } from 'node:timers/promises';

/** true when `promise` settles within `ms`; the timer never outlives the race (it would keep the process alive). */
export async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const timer = new AbortController();
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      sleep(ms, false, { signal: timer.signal }).catch(() => false), // aborted: the promise won the race
    ]);
  } finally {
    timer.abort();
  }
}
