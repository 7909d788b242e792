import { z } from 'zod';
import { getBackup, recordVerification, type BackupEntry } from '../../src/backups/catalog.js';
import { compareContent, CONTENT_METHOD } from '../../src/backups/content.js';
import { readManifest, type BackupManifest } from '../../src/backups/manifest.js';
import { restoreIntoScratch } from '../../src/backups/restore.js';
import { compareCounts, type CountMismatch } from '../../src/backups/tables.js';
import { sha256File } from '../../src/backups/tools.js';
import { CancelledError, errorMessage } from '../../src/errors.js';
import { defineOperation } from '../operation.js';
import { asRun } from '../as-run.js';
import { resolveBackup, targetConfig } from './shared.js';

export interface VerifyStep {
  step: 'checksum' | 'restore' | 'row counts' | 'content';
  ok: boolean;
  detail: string;
}

export interface BackupVerifyResult {
  ok: boolean;
  backup: BackupEntry;
  steps: VerifyStep[];
  /** Where the drill restored (dropped afterwards). */
  scratch: string | null;
  mismatches: CountMismatch[];
  /** true when the manifest's content checksums were recomputed on the restore; false: proved by row counts only. */
  contentChecked: boolean;
  /** Tables whose restored content differs from the manifest's checksum. */
  contentMismatches: string[];
  tablesChecked: number;
  rowsChecked: number;
  verifiedAt: string;
  durationMs: number;
}

/**
 * The proof: the file's sha256 against the manifest and the catalog, a restore into a scratch database opsctl creates
 * and drops, every table's row count and content checksum against the manifest. A manifest written without checksums
 * (older opsctl, or backups.contentChecksums false) is proved by counts only, and the content step says so. The outcome
 * is recorded on the backup either way.
 */
export const backupVerify = defineOperation({
  name: 'backup.verify',
  summary:
    'Prove a backup: checksum, restore drill into a scratch database, row counts and content checksums against the manifest',
  input: z.object({ backup: z.string().min(1) }),
  async run(ctx, input): Promise<BackupVerifyResult> {
    const entry = await resolveBackup(ctx, input.backup);
    // The drill runs on the server of the backup's target: without it there is nothing to restore into.
    const serverConfig = targetConfig(ctx, entry.target);
    const started = performance.now();
    return asRun(
      ctx,
      'backup.verify',
      entry.target,
      async () => {
        const steps: VerifyStep[] = [];
        let scratch: string | null = null;
        let mismatches: CountMismatch[] = [];
        let contentChecked = false;
        let contentMismatches: string[] = [];
        const store = await ctx.state();
        const finish = async (error?: string): Promise<BackupVerifyResult> => {
          const ok = error === undefined && steps.every((s) => s.ok) && steps.length === 4;
          const verifiedAt = new Date().toISOString();
          await recordVerification(store, entry.id, {
            status: ok ? 'passed' : 'failed',
            at: verifiedAt,
            error: ok ? null : (error ?? steps.find((s) => !s.ok)?.detail ?? 'failed'),
            details: { steps, mismatches, contentMismatches, scratch },
          });
          return {
            ok,
            backup: (await getBackup(store, entry.id))!,
            steps,
            scratch,
            mismatches,
            contentChecked,
            contentMismatches,
            tablesChecked: entry.tables.length,
            rowsChecked: entry.tables.reduce((s, t) => s + t.rows, 0),
            verifiedAt,
            durationMs: Math.round(performance.now() - started),
          };
        };
        ctx.progress({ phase: 'checksum', done: 0, total: 4, note: entry.path });
        let manifestRows;
        let manifestContent: BackupManifest['content'];
        try {
          const manifest = await readManifest(entry.path);
          manifestRows = manifest.tables;
          manifestContent = manifest.content;
          const actual = await sha256File(entry.path, ctx.signal);
          const expected = [entry.sha256, manifest.sha256];
          const ok = expected.every((e) => e === actual.sha256) && actual.bytes === manifest.sizeBytes;
          steps.push({
            step: 'checksum',
            ok,
            detail: ok
              ? `sha256 ${actual.sha256.slice(0, 16)}… matches, ${actual.bytes} bytes`
              : `sha256 ${actual.sha256.slice(0, 16)}… (${actual.bytes} bytes) differs from the manifest's ${manifest.sha256.slice(0, 16)}… (${manifest.sizeBytes} bytes): the file changed since it was written`,
          });
          if (!ok) return await finish();
        } catch (error) {
          if (error instanceof CancelledError) throw error;
          steps.push({ step: 'checksum', ok: false, detail: errorMessage(error) });
          return finish();
        }
        // Recomputed only by the method the manifest names; another method (a newer opsctl's) is counts only.
        const recompute = manifestContent?.method === CONTENT_METHOD[entry.engine];
        ctx.progress({ phase: 'restore', done: 1, total: 4, note: 'restore drill' });
        let restored;
        try {
          restored = await restoreIntoScratch(
            ctx.config,
            entry,
            entry.target,
            serverConfig,
            ctx.signal,
            (phase, note) => ctx.progress({ phase, done: 1, total: 4, ...(note ? { note } : {}) }),
            { content: recompute },
          );
          scratch = restored.scratch;
          steps.push({ step: 'restore', ok: true, detail: `restored into ${restored.scratch} (dropped afterwards)` });
        } catch (error) {
          if (error instanceof CancelledError) throw error;
          steps.push({ step: 'restore', ok: false, detail: errorMessage(error) });
          return finish();
        }
        ctx.progress({ phase: 'row counts', done: 2, total: 4 });
        mismatches = compareCounts(manifestRows, restored.tables);
        steps.push({
          step: 'row counts',
          ok: mismatches.length === 0,
          detail:
            mismatches.length === 0
              ? `${manifestRows.length} tables, ${manifestRows.reduce((s, t) => s + t.rows, 0)} rows, all equal to the manifest`
              : `${mismatches.length} table(s) differ: ${mismatches
                  .slice(0, 5)
                  .map((m) => `${m.table} expected ${m.expected ?? 'absent'}, got ${m.actual ?? 'absent'}`)
                  .join('; ')}`,
        });
        ctx.progress({ phase: 'content', done: 3, total: 4 });
        if (recompute && restored.content) {
          contentChecked = true;
          contentMismatches = compareContent(manifestContent!.tables, restored.content);
          const n = Object.keys(manifestContent!.tables).length;
          steps.push({
            step: 'content',
            ok: contentMismatches.length === 0,
            detail:
              contentMismatches.length === 0
                ? `${n} tables, content checksums equal to the manifest`
                : `content of ${contentMismatches.length} table(s) differs from the manifest: ${contentMismatches.slice(0, 5).join(', ')}${contentMismatches.length > 5 ? ', …' : ''} (the restore does not hold what was backed up)`,
          });
        } else {
          steps.push({
            step: 'content',
            ok: true,
            detail: manifestContent
              ? `not checked: the manifest's checksums (${manifestContent.method}) are not ones this opsctl computes; proved by row counts only`
              : 'not checked: this manifest has no content checksums (written by an older opsctl or with backups.contentChecksums false); proved by row counts only',
          });
        }
        ctx.progress({ phase: 'done', done: 4, total: 4 });
        return finish();
      },
      (r) => ({ id: r.backup.id, ok: r.ok }),
      (r) =>
        r.ok ? undefined : `backup ${r.backup.id} failed verification: ${r.backup.verifyError ?? 'see backup list'}`,
    );
  },
});
