import { z } from 'zod';
import { listBackups, type BackupEntry } from '../../src/backups/catalog.js';
import { defineOperation } from '../operation.js';

export interface BackupListResult {
  backups: BackupEntry[];
  /** The newest verified backup must be younger than this (backups.maxAgeHours). */
  maxAgeHours: number;
}

/** The catalog, newest first per target. */
export const backupList = defineOperation({
  name: 'backup.list',
  summary: 'Backups in the catalog: size, age, verified or not',
  input: z.object({ target: z.string().min(1).optional() }),
  async run(ctx, input): Promise<BackupListResult> {
    const backups = await listBackups(await ctx.state(), input.target ? { target: input.target } : {});
    return { backups, maxAgeHours: ctx.config.backups.maxAgeHours };
  },
});
