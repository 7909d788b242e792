import { existsSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { isOpsError } from '../../../src/errors.js';
import { bytes, percent } from '../../../src/format.js';
import { run } from '../../catalog.js';
import { fail, pass, type CheckGroup } from '../types.js';

/** Free space of the file system that holds `path` (or its nearest existing parent). */
export function freeDisk(path: string): { freeBytes: number; totalBytes: number; percent: number; at: string } {
  let at = path;
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  const s = statfsSync(at);
  const totalBytes = s.blocks * s.bsize;
  const freeBytes = s.bavail * s.bsize;
  return { freeBytes, totalBytes, percent: totalBytes ? (freeBytes / totalBytes) * 100 : 0, at };
}

/**
 * Backups before a deploy (the seeds' pre-deployment checklist): the newest verified backup of every target is younger
 * than backups.maxAgeHours, and the backup directory's disk has validate.minFreeDiskPercent free.
 */
export const backupsChecks: CheckGroup = {
  id: 'backups',
  title: 'Backups',
  async run({ ctx, config, emit }) {
    try {
      const r = await run('backup.freshness', ctx, {});
      if (r.targets.length === 0) emit(pass('freshness', 'no database targets configured'));
      for (const t of r.targets) {
        const name = `newest verified ${t.target}`;
        if (t.absent || !t.stale) emit(pass(name, t.reason));
        else
          emit(
            fail(
              name,
              t.reason,
              t.newestVerifiedId
                ? `Run \`opsctl backup create ${t.target}\` and \`opsctl backup verify ${t.target}\` (cron them daily).`
                : `Run \`opsctl backup create ${t.target}\` then \`opsctl backup verify ${t.target}\`.`,
            ),
          );
      }
    } catch (error) {
      emit(
        fail(
          'freshness',
          (error as Error).message,
          isOpsError(error) && error.hint ? error.hint : 'Check the state store (opsctl status).',
        ),
      );
    }
    const min = config.validate.minFreeDiskPercent;
    try {
      const d = freeDisk(config.backups.dir);
      const text = `${percent(d.percent)} free (${bytes(d.freeBytes)} of ${bytes(d.totalBytes)}) at ${d.at}`;
      emit(
        d.percent >= min
          ? pass('free disk', `${text}; at least ${min}% required`)
          : fail(
              'free disk',
              `${text}: under the ${min}% required`,
              'Prune old backups (`opsctl backup prune`), move backups.dir to a larger disk, or lower validate.minFreeDiskPercent.',
            ),
      );
    } catch (error) {
      emit(
        fail(
          'free disk',
          `cannot read free space of ${config.backups.dir}: ${(error as Error).message}`,
          'Check that backups.dir is on a mounted file system opsctl can read.',
        ),
      );
    }
  },
};
