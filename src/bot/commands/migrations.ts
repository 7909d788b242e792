import type { ResultFor } from '../../../commands/catalog.js';
import { bold, capped, code, esc, lines, statusIcon } from '../format.js';
import type { BotCommand } from './types.js';

type TargetStatus = ResultFor<'migrate.status'>['targets'][number];

/** `/migrations [target]`: applied, pending, drifted and dirty migrations per database, from `migrate.status`. */
export const migrationsCommand: BotCommand = {
  name: 'migrations',
  description: 'Migrations per database: applied, pending, drift',
  usage: '/migrations [target]',
  async run(request) {
    const target = request.args.split(/\s+/)[0] || undefined;
    return formatMigrations(await request.invoke('migrate.status', target ? { target } : {}));
  },
};

export function formatMigrations(result: ResultFor<'migrate.status'>): string {
  if (result.targets.length === 0) return lines(bold('Migrations'), esc('No database targets configured.'));
  return lines(bold('Migrations'), ...capped(result.targets, 15, formatTarget));
}

function formatTarget(t: TargetStatus): string {
  const failed = Boolean(t.error || t.dirty || t.drifted.length || t.missing.length);
  const status = failed ? 'failed' : t.pending.length ? 'pending' : 'ok';
  const parts = [
    `${t.applied.length} applied`,
    `${t.pending.length} pending`,
    t.drifted.length ? `${t.drifted.length} drifted` : undefined,
    t.missing.length ? `${t.missing.length} missing` : undefined,
    t.dirty ? 'dirty' : undefined,
    !t.error && t.current ? `at ${t.current}` : undefined,
  ];
  const detail: string[] = [];
  if (t.error) detail.push(`    ${esc(`error: ${t.error.slice(0, 160)}`)}`);
  if (t.dirty) {
    const d = t.dirty;
    const what = d.failedStatement
      ? `statement ${d.failedStatement} of ${d.statementsTotal} failed${d.error ? `: ${d.error.slice(0, 120)}` : ''}`
      : `stopped after ${d.statementsDone} of ${d.statementsTotal} statements`;
    detail.push(`    ${code(`${d.version}_${d.name}`)} ${esc(`${d.operation} ${what}`)}`);
  }
  for (const m of t.drifted.slice(0, 3))
    detail.push(`    ${code(`${m.version}_${m.name}`)} ${esc('changed after it was applied')}`);
  if (t.pending.length)
    detail.push(
      `    ${esc(
        `next: ${t.pending
          .slice(0, 3)
          .map((p) => `${p.version}_${p.name}`)
          .join(', ')}${t.pending.length > 3 ? ', …' : ''}`,
      )}`,
    );
  return lines(`${statusIcon(status)} ${bold(t.target)} ${esc(parts.filter(Boolean).join(' · '))}`, ...detail);
}
