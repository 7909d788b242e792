import type { TargetConfig } from '../../src/config/schema.js';
import { getBackup, listBackups, type BackupEntry } from '../../src/backups/catalog.js';
import { NotFoundError } from '../../src/errors.js';
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
