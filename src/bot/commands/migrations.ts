import { bold, capped, esc, lines, statusIcon } from '../format.js';
import { bool, isRecord, list, str } from '../shape.js';
import { countOf, scalarSummary } from './common.js';
import type { BotCommand } from './types.js';

/** `/migrations [target]`: applied, pending, drifted and dirty migrations per database, from `migrate.status`. */
export const migrationsCommand: BotCommand = {
  name: 'migrations',
  description: 'Migrations per database: applied, pending, drift',
  usage: '/migrations [target]',
  operations: ['migrate.status'],
  async run(request) {
    const target = request.args.split(/\s+/)[0] || undefined;
    return formatMigrations(await request.invoke('migrate.status', target ? { target } : {}));
  },
};

export function formatMigrations(result: unknown): string {
  const targets = isRecord(result) && (result.applied !== undefined || result.pending !== undefined) ? [result] : list(result, 'targets', 'databases', 'items');
  if (targets.length === 0) return scalarSummary('Migrations', result);
  return lines(
    bold('Migrations'),
    ...capped(targets, 15, (t) => {
      const name = str(t, 'target', 'name', 'database') ?? '?';
      const applied = countOf(t, 'applied', 'appliedCount');
      const pending = countOf(t, 'pending', 'pendingCount') ?? 0;
      const drifted = countOf(t, 'drifted', 'drift') ?? 0;
      const missing = countOf(t, 'missing', 'missingFiles') ?? 0;
      const dirty = bool(t, 'dirty') ?? (isRecord(t) && t.dirty !== undefined && t.dirty !== null && t.dirty !== false);
      const error = str(t, 'error');
      const status = error || dirty || drifted || missing ? 'failed' : pending ? 'pending' : 'ok';
      const parts = [
        applied === undefined ? undefined : `${applied} applied`,
        `${pending} pending`,
        drifted ? `${drifted} drifted` : undefined,
        missing ? `${missing} missing` : undefined,
        dirty ? 'dirty' : undefined,
        error ? `error: ${error.slice(0, 120)}` : undefined,
      ];
      return `${statusIcon(status)} ${bold(name)} ${esc(parts.filter(Boolean).join(' · '))}`;
    }),
  );
}
