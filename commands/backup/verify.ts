import { z } from 'zod';
import { getBackup, recordVerification, type BackupEntry } from '../../src/backups/catalog.js';
import { readManifest } from '../../src/backups/manifest.js';
import { restoreIntoScratch } from '../../src/backups/restore.js';
import { compareCounts, type CountMismatch } from '../../src/backups/tables.js';
import { sha256File } from '../../src/backups/tools.js';
import { CancelledError, errorMessage } from '../../src/errors.js';
import { defineOperation } from '../operation.js';
import { asRun, resolveBackup, targetConfig } from './shared.js';

export interface VerifyStep {
  step: 'checksum' | 'restore' | 'row counts';
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
  tablesChecked: number;
  rowsChecked: number;
  verifiedAt: string;
  durationMs: number;
}

/**
 * The proof: the file's sha256 against the manifest and the catalog, a restore into a scratch database opsctl creates
 * and drops, and every table's row count against the manifest. The outcome is recorded on the backup either way.
 */
export const backupVerify = defineOperation({
  name: 'backup.verify',
  summary: 'Prove a backup: checksum, restore drill into a scratch database, row counts against the manifest',
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
        const store = await ctx.state();
        const finish = async (error?: string): Promise<BackupVerifyResult> => {
          const ok = error === undefined && steps.every((s) => s.ok) && steps.length === 3;
          const verifiedAt = new Date().toISOString();
          await recordVerification(store, entry.id, {
            status: ok ? 'passed' : 'failed',
            at: verifiedAt,
            error: ok ? null : (error ?? steps.find((s) => !s.ok)?.detail ?? 'failed'),
            details: { steps, mismatches, scratch },
          });
          return {
            ok,
            backup: (await getBackup(store, entry.id))!,
            steps,
            scratch,
            mismatches,
            tablesChecked: entry.tables.length,
            rowsChecked: entry.tables.reduce((s, t) => s + t.rows, 0),
            verifiedAt,
            durationMs: Math.round(performance.now() - started),
          };
        };
        ctx.progress({ phase: 'checksum', done: 0, total: 3, note: entry.path });
        let manifestRows;
        try {
          const manifest = await readManifest(entry.path);
          manifestRows = manifest.tables;
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
        ctx.progress({ phase: 'restore', done: 1, total: 3, note: 'restore drill' });
        let restored;
        try {
          restored = await restoreIntoScratch(
            ctx.config,
            entry,
            entry.target,
            serverConfig,
            ctx.signal,
            (phase, note) => ctx.progress({ phase, done: 1, total: 3, ...(note ? { note } : {}) }),
          );
          scratch = restored.scratch;
          steps.push({ step: 'restore', ok: true, detail: `restored into ${restored.scratch} (dropped afterwards)` });
        } catch (error) {
          if (error instanceof CancelledError) throw error;
          steps.push({ step: 'restore', ok: false, detail: errorMessage(error) });
          return finish();
        }
        ctx.progress({ phase: 'row counts', done: 2, total: 3 });
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
        ctx.progress({ phase: 'done', done: 3, total: 3 });
        return finish();
      },
      (r) => ({ id: r.backup.id, ok: r.ok }),
      (r) =>
        r.ok ? undefined : `backup ${r.backup.id} failed verification: ${r.backup.verifyError ?? 'see backup list'}`,
    );
  },
});
