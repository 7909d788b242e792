import { rm } from 'node:fs/promises';
import { z } from 'zod';
import { deleteBackupEntry, listBackups, type BackupEntry } from '../../src/backups/catalog.js';
import { manifestPathOf } from '../../src/backups/manifest.js';
import { applyRetention, type RetentionPolicy } from '../../src/backups/retention.js';
import { confirmFields, defineOperation, requireConfirmation } from '../operation.js';
import { UsageError } from '../../src/errors.js';

export interface PruneItem {
  backup: BackupEntry;
  keep: boolean;
  reasons: string[];
}

export interface BackupPruneResult {
  policy: RetentionPolicy;
  /** Every backup considered, newest first per target, with whether it stays and why. */
  items: PruneItem[];
  /** Ids deleted (empty on a dry run). */
  deleted: string[];
  freedBytes: number;
  dryRun: boolean;
}

/**
 * Applies the retention policy (backups.retention, overridable per call). `dryRun` shows what would go; otherwise
 * deletion needs `confirm`. Files, manifests and catalog rows go together.
 */
export const backupPrune = defineOperation({
  name: 'backup.prune',
  summary: 'Delete backups the retention policy does not keep (keep-last, keep-daily, keep-weekly)',
  input: z.object({
    target: z.string().min(1).optional(),
    keepLast: z.number().int().min(0).optional(),
    keepDaily: z.number().int().min(0).optional(),
    keepWeekly: z.number().int().min(0).optional(),
    dryRun: z.boolean().optional(),
    ...confirmFields,
  }),
  async run(ctx, input): Promise<BackupPruneResult> {
    const r = ctx.config.backups.retention;
    const policy: RetentionPolicy = {
      keepLast: input.keepLast ?? r.keepLast,
      keepDaily: input.keepDaily ?? r.keepDaily,
      keepWeekly: input.keepWeekly ?? r.keepWeekly,
    };
    const store = await ctx.state();
    const backups = await listBackups(store, input.target ? { target: input.target } : {});
    const items: PruneItem[] = applyRetention(backups, policy).map((d) => ({
      backup: d.backup,
      keep: d.keep,
      reasons: d.reasons,
    }));
    const doomed = items.filter((i) => !i.keep);
    const freedBytes = doomed.reduce((s, i) => s + i.backup.sizeBytes, 0);
    if (input.dryRun || doomed.length === 0)
      return { policy, items, deleted: [], freedBytes: input.dryRun ? freedBytes : 0, dryRun: input.dryRun === true };
    // Deleting a production target's backups needs that target's name: one production target per prune.
    const production = [...new Set(doomed.map((d) => d.backup.target))].filter(
      (name) => ctx.config.targets[name]?.production === true || ctx.config.environment === 'production',
    );
    if (production.length > 1 && !input.target) {
      throw new UsageError(
        `this prune deletes backups of ${production.length} production targets (${production.join(', ')})`,
        {
          hint: 'Prune one production target at a time: --target NAME --confirm-target NAME.',
        },
      );
    }
    requireConfirmation(input, `delete ${doomed.length} backup(s) (${doomed.map((d) => d.backup.id).join(', ')})`, {
      ...(production[0] ? { target: { name: production[0], production: true } } : {}),
      details: { ids: doomed.map((d) => d.backup.id), freedBytes },
    });
    const deleted: string[] = [];
    for (const [i, d] of doomed.entries()) {
      ctx.progress({ phase: 'delete', done: i, total: doomed.length, note: d.backup.id });
      await rm(d.backup.path, { force: true });
      await rm(manifestPathOf(d.backup.path), { force: true });
      await deleteBackupEntry(store, d.backup.id);
      deleted.push(d.backup.id);
    }
    ctx.log.info('backups pruned', { deleted: deleted.length, freedBytes });
    return { policy, items, deleted, freedBytes, dryRun: false };
  },
});
