import { join } from 'node:path';
import type { BackupFormat } from './manifest.js';

/** `<target>-<UTC time to the millisecond>`: sorts by time, names the target, never collides within a target. */
export function backupId(target: string, at: Date): string {
  return `${target}-${at.toISOString().replace(/[-:]/g, '').replace('.', '')}`;
}

export function backupFilePath(dir: string, target: string, id: string, format: BackupFormat): string {
  return join(dir, target, `${id}.${format === 'custom' ? 'dump' : 'sql.gz'}`);
}

/** A scratch database name no one else uses: opsctl_verify_<target>_<time>_<random>, at most 63 characters. */
export function scratchDatabaseName(target: string): string {
  const safe = target
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 20);
  const rand = Math.random().toString(36).slice(2, 8);
  return `opsctl_verify_${safe}_${Date.now().toString(36)}_${rand}`;
}
