import { z } from 'zod';
import type { BackupEntry } from '../../src/backups/catalog.js';
import { readManifest, type TableCount } from '../../src/backups/manifest.js';
import { restoreIntoTarget, type PrivilegeRestore } from '../../src/backups/restore.js';
import { compareCounts, type CountMismatch } from '../../src/backups/tables.js';
import { sha256File } from '../../src/backups/tools.js';
import { OperationFailed, UsageError } from '../../src/errors.js';
import { confirmFields, defineOperation, requireConfirmation } from '../operation.js';
import { asRun } from '../as-run.js';
import { resolveBackup, targetConfig } from './shared.js';

export interface ReplacedTable {
  table: string;
  rowsBefore: number;
  rowsAfter: number;
}

export interface BackupRestoreResult {
  backup: BackupEntry;
  target: string;
  /** Tables the target had that the backup overwrote, with their row counts before and after. */
  replaced: ReplacedTable[];
  /** Tables the backup created that the target did not have. */
  created: TableCount[];
  /** Tables of the target that are gone after the restore (PGlite: the whole database is replaced). */
  removed: TableCount[];
  /** Tables of the target the backup does not hold, left as they were (PostgreSQL and MySQL restore only what the backup holds). */
  untouched: TableCount[];
  /** Every table of the backup has the manifest's row count in the target after the restore. */
  matchesManifest: boolean;
  mismatches: CountMismatch[];
  /**
   * PostgreSQL: the backup's GRANTs and REVOKEs, restored by default (as `pg_restore --no-owner` does); a GRANT to a
   * role this server lacks is a warning. `restored: false` with noPrivileges.
   */
  privileges: PrivilegeRestore;
  durationMs: number;
}

/**
 * Restores a backup into its target or another of the same engine. Destructive: needs `confirm` (a production target
 * needs the target's name typed). The file's checksum is checked first; the result says what was replaced.
 */
export const backupRestore = defineOperation({
  name: 'backup.restore',
  summary: 'Restore a backup into its target (or --to another target of the same engine)',
  input: z.object({
    backup: z.string().min(1),
    to: z.string().min(1).optional(),
    /** PostgreSQL: leave the backup's GRANTs and REVOKEs out (pg_restore --no-privileges). */
    noPrivileges: z.boolean().optional(),
    ...confirmFields,
  }),
  async run(ctx, input): Promise<BackupRestoreResult> {
    const entry = await resolveBackup(ctx, input.backup);
    const to = input.to ?? entry.target;
    const config = targetConfig(ctx, to);
    if (config.engine !== entry.engine) {
      throw new UsageError(
        `backup ${entry.id} is a ${entry.engine} backup and target "${to}" is ${config.engine}: refusing to restore across engines`,
        {
          hint: `Restore it into a ${entry.engine} target (--to <target>).`,
        },
      );
    }
    const production = config.production || ctx.config.environment === 'production';
    requireConfirmation(
      input,
      `restore ${entry.id} (${entry.finishedAt}) into target "${to}", replacing the tables it holds`,
      {
        target: { name: to, production },
        details: { backup: entry.id, target: to, production },
      },
    );
    const started = performance.now();
    return asRun(
      ctx,
      'backup.restore',
      to,
      async () => {
        ctx.progress({ phase: 'checksum', note: entry.path });
        const manifest = await readManifest(entry.path);
        const sum = await sha256File(entry.path, ctx.signal);
        if (sum.sha256 !== entry.sha256 || sum.sha256 !== manifest.sha256) {
          throw new OperationFailed(
            `backup ${entry.id} does not match its checksum: the file changed since it was written; nothing was restored`,
            {
              hint: 'Pick another backup (`opsctl backup list`) and verify it first.',
            },
          );
        }
        const counts = await restoreIntoTarget(
          ctx.config,
          entry,
          to,
          config,
          ctx.signal,
          (phase, note) => ctx.progress({ phase, ...(note ? { note } : {}) }),
          { privileges: !input.noPrivileges },
        );
        const inBackup = new Set(manifest.tables.map((t) => t.table));
        const before = new Map(counts.before.map((t) => [t.table, t.rows]));
        const after = new Map(counts.after.map((t) => [t.table, t.rows]));
        const mismatches = compareCounts(
          manifest.tables,
          counts.after.filter((t) => inBackup.has(t.table)),
        );
        return {
          backup: entry,
          target: to,
          replaced: counts.before
            .filter((t) => inBackup.has(t.table))
            .map((t) => ({ table: t.table, rowsBefore: t.rows, rowsAfter: after.get(t.table) ?? 0 })),
          created: counts.after.filter((t) => inBackup.has(t.table) && !before.has(t.table)),
          removed: counts.before.filter((t) => !after.has(t.table)),
          untouched: counts.before.filter((t) => !inBackup.has(t.table) && after.has(t.table)),
          matchesManifest: mismatches.length === 0,
          mismatches,
          privileges: counts.privileges,
          durationMs: Math.round(performance.now() - started),
        };
      },
      (r) => ({ id: r.backup.id, replaced: r.replaced.length, created: r.created.length }),
    );
  },
});
