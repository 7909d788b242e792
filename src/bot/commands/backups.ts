import { ago, bold, bytes, capped, esc, lines, statusIcon } from '../format.js';
import { bool, list, num, str, time } from '../shape.js';
import { plural } from './common.js';
import type { BotCommand } from './types.js';

/** `/backups [target]`: the newest backup of each target, its age and whether a restore drill verified it, from `backup.list`. */
export const backupsCommand: BotCommand = {
  name: 'backups',
  description: 'Newest backup per database, its age and verification',
  usage: '/backups [target]',
  operations: ['backup.list'],
  async run(request) {
    const target = request.args.split(/\s+/)[0] || undefined;
    return formatBackups(await request.invoke('backup.list', target ? { target } : {}));
  },
};

export const BACKUP_TIME = ['finishedAt', 'endedAt', 'createdAt', 'completedAt', 'startedAt', 'created_at', 'time'];

export function formatBackups(result: unknown, now = Date.now()): string {
  const backups = list(result, 'backups', 'items', 'catalog');
  if (backups.length === 0) return lines(bold('Backups'), esc('No backups in the catalog.'));
  const byTarget = new Map<string, unknown[]>();
  for (const b of backups) {
    const target = str(b, 'target', 'targetName', 'database') ?? '?';
    byTarget.set(target, [...(byTarget.get(target) ?? []), b]);
  }
  const rows = [...byTarget.entries()].map(([target, items]) => {
    const newest = items.reduce((a, b) => ((time(b, ...BACKUP_TIME) ?? 0) > (time(a, ...BACKUP_TIME) ?? 0) ? b : a));
    const verified = bool(newest, 'verified') ?? (time(newest, 'verifiedAt', 'verified_at') !== undefined ? true : undefined);
    const size = num(newest, 'sizeBytes', 'size', 'bytes');
    const parts = [`newest ${ago(time(newest, ...BACKUP_TIME), now)}`, size === undefined ? undefined : bytes(size), verified === undefined ? undefined : verified ? 'verified' : 'not verified', plural(items.length, 'backup')];
    return `${statusIcon(verified === false ? 'pending' : 'ok')} ${bold(target)} ${esc(parts.filter(Boolean).join(' · '))}`;
  });
  return lines(bold('Backups'), ...capped(rows, 15, (r) => r));
}
