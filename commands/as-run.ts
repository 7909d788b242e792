import { CancelledError, errorMessage } from '../src/errors.js';
import { finishRun, heartbeatRun, startRun } from '../src/state/runs.js';
import type { OperationContext } from './operation.js';

/**
 * Records an operation that is not a pipeline (a backup, a load test) as a run around `fn`, so the bot's run-failed
 * alert, `/metrics` and the orphaned-run sweep see it like any run; a cancelled `fn` ends `cancelled`, never `running`.
 */
export async function asRun<T>(
  ctx: OperationContext,
  operation: string,
  target: string,
  fn: () => Promise<T>,
  summarize: (r: T) => unknown = () => undefined,
  failure: (r: T) => string | undefined = () => undefined,
): Promise<T> {
  const store = await ctx.state();
  const run = await startRun(store, { operation, pipeline: target, trigger: ctx.trigger });
  // A heartbeat, so a long operation on another host is never taken for an orphaned run.
  const heartbeat = setInterval(() => void heartbeatRun(store, run.id).catch(() => undefined), 15_000);
  heartbeat.unref();
  try {
    const result = await fn();
    const failed = failure(result);
    await finishRun(store, run.id, {
      status: failed ? 'failed' : 'succeeded',
      summary: summarize(result),
      error: failed ?? null,
    });
    return result;
  } catch (error) {
    await finishRun(store, run.id, {
      status: error instanceof CancelledError ? 'cancelled' : 'failed',
      error: errorMessage(error),
    }).catch(() => undefined);
    throw error;
  } finally {
    clearInterval(heartbeat);
  }
}
