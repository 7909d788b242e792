import { setTimeout as wait } from 'node:timers/promises';
import { throwIfAborted } from '../errors.js';

/**
 * The one wait between retries and polls: `ms`, or less when `signal` fires (at once if it already has), which
 * rejects with what `cancelled` builds (a message naming the work) or the plain CancelledError. The timer is cleared
 * on abort, so a cancelled run never waits out a long Retry-After.
 */
export async function sleep(ms: number, signal?: AbortSignal, cancelled?: () => Error): Promise<void> {
  try {
    await wait(ms, undefined, signal ? { signal } : undefined);
  } catch (error) {
    if (!signal?.aborted) throw error;
    if (cancelled) throw cancelled();
    throwIfAborted(signal);
  }
}
