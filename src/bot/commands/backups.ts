import type { ResultFor } from '../../../commands/catalog.js';
import { ago, bytes, plural } from '../../format.js';
import { bold, capped, esc, lines, statusIcon } from '../format.js';
import type { BotCommand } from './types.js';

type Backup = ResultFor<'backup.list'>['backups'][number];

/** `/backups [target]`: the newest backup of each target, its age and whether a restore drill verified it, from `backup.list`. */
export const backupsCommand: BotCommand = {
  name: 'backups',
  description: 'Newest backup per database, its age and verification',
  usage: '/backups [target]',
  async run(request) {
    const target = request.args.split(/\s+/)[0] || undefined;
    return formatBackups(await request.invoke('backup.list', target ? { target } : {}));
  },
};

/** One line per target: its newest backup (the list is newest first per target), verified, failed or not yet. */
export function formatBackups(result: ResultFor<'backup.list'>, now = Date.now()): string {
  const { backups, maxAgeHours } = result;
  if (backups.length === 0) return lines(bold('Backups'), esc('No backups in the catalog.'));
  const byTarget = new Map<string, Backup[]>();
  for (const b of backups) byTarget.set(b.target, [...(byTarget.get(b.target) ?? []), b]);
  const rows = [...byTarget.entries()].map(([target, items]) => {
    const newest = items.reduce((a, b) => (Date.parse(b.finishedAt) > Date.parse(a.finishedAt) ? b : a));
    const stale = now - Date.parse(newest.finishedAt) > maxAgeHours * 3_600_000;
    const verification =
      newest.verifyStatus === 'failed' ? 'verify FAILED' : newest.verified ? 'verified' : 'not verified';
    const parts = [
      `newest ${ago(newest.finishedAt, now)}${stale ? ` (over ${maxAgeHours}h)` : ''}`,
      bytes(newest.sizeBytes),
      verification,
      plural(items.length, 'backup'),
    ];
    const icon =
      newest.verifyStatus === 'failed' || stale ? statusIcon('failed') : statusIcon(newest.verified ? 'ok' : 'pending');
    return `${icon} ${bold(target)} ${esc(parts.join(' · '))}`;
  });
  return lines(bold('Backups'), ...capped(rows, 15, (r) => r));
}
