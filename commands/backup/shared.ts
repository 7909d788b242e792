import type { TargetConfig } from '../../src/config/schema.js';
import { getBackup, listBackups, type BackupEntry } from '../../src/backups/catalog.js';
import { CancelledError, errorMessage, NotFoundError } from '../../src/errors.js';
import { finishRun, heartbeatRun, startRun } from '../../src/state/runs.js';
import type { OperationContext } from '../operation.js';

export function targetConfig(ctx: OperationContext, name: string): TargetConfig {
  const t = ctx.config.targets[name];
  if (!t) {
    const known = Object.keys(ctx.config.targets);
    throw new NotFoundError(`target "${name}" is not configured`, {
      hint: known.length
        ? `Configured targets: ${known.join(', ')}.`
        : 'Add it under targets in opsctl.config.json (or set DATABASE_URL).',
    });
  }
  return t;
}

/** A backup by id, or a target's newest backup when given a target name. */
export async function resolveBackup(ctx: OperationContext, ref: string): Promise<BackupEntry> {
  const store = await ctx.state();
  const exact = await getBackup(store, ref);
  if (exact) return exact;
  const newest = (await listBackups(store, { target: ref }))[0];
  if (newest) return newest;
  throw new NotFoundError(`no backup "${ref}" in the catalog`, {
    hint: 'Give a backup id or a target name from `opsctl backup list`.',
  });
}

/** Records the operation as a run (so the bot's run-failed alert sees a failed backup) around `fn`. */
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
  // A heartbeat, so a long backup on another host is never taken for an orphaned run.
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
