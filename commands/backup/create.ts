import { z } from 'zod';
import { insertBackup, type BackupEntry } from '../../src/backups/catalog.js';
import { dumpTarget } from '../../src/backups/dump.js';
import { bytes } from '../../src/format.js';
import { defineOperation } from '../operation.js';
import { asRun } from '../as-run.js';
import { targetConfig } from './shared.js';

export interface BackupCreateResult {
  backup: BackupEntry;
  manifestPath: string;
  durationMs: number;
}

/** Dumps a target into the backup directory, writes its manifest and records it in the catalog. */
export const backupCreate = defineOperation({
  name: 'backup.create',
  summary: 'Back up a database target (pg_dump, mariadb-dump, PGlite) with a checksummed manifest',
  input: z.object({ target: z.string().min(1) }),
  async run(ctx, input): Promise<BackupCreateResult> {
    const config = targetConfig(ctx, input.target);
    const started = performance.now();
    return asRun(
      ctx,
      'backup.create',
      input.target,
      async () => {
        const dumped = await dumpTarget(ctx.config, input.target, config, {
          signal: ctx.signal,
          onPhase: (phase, note) => ctx.progress({ phase, ...(note ? { note } : {}) }),
          onBytes: (written) => ctx.progress({ phase: 'dump', done: written, note: `${bytes(written)} written` }),
        });
        const backup = await insertBackup(await ctx.state(), dumped.manifest, dumped.path);
        ctx.log.info('backup created', { target: input.target, id: backup.id, bytes: backup.sizeBytes });
        return { backup, manifestPath: dumped.manifestPath, durationMs: Math.round(performance.now() - started) };
      },
      (r) => ({ id: r.backup.id, sizeBytes: r.backup.sizeBytes }),
    );
  },
});
