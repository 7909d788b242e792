import type { Command } from 'commander';
import type { ResultFor } from '../../../commands/catalog.js';
import { ago, bytes, count } from '../../format.js';
import { action } from '../action.js';
import type { TextOut } from '../output.js';

const keep = (days: number | null) => (days === null ? 'forever' : `${days} days`);

export function registerState(program: Command): void {
  const state = program
    .command('state')
    .description("The state store's own size and history: stats, prune (state.retention)")
    .helpGroup('Platform:');

  state
    .command('stats')
    .description('Rows, bytes on disk and the oldest row of each table that grows with use, with its retention')
    .addHelpText('after', '\nExamples:\n  opsctl state stats\n  opsctl state stats --json')
    .action(action({ operation: 'state.stats', input: () => ({}), render: renderStats }));

  state
    .command('prune')
    .description(
      'Delete history older than state.retention (a running run and the last run of each pipeline stay); etl run does this after each run',
    )
    .option('--dry-run', 'only count what would be deleted')
    .option('-y, --yes', 'delete without asking (scripts)')
    .addHelpText(
      'after',
      `
Defaults (state.retention in opsctl.config.json, days; null keeps forever): runs 400, executionLog 400,
quarantine 90, loadtestSamples 90, meteredJobs 400.

Examples:
  opsctl state prune --dry-run
  opsctl state prune --yes --json`,
    )
    .action(
      action({
        operation: 'state.prune',
        input: (_args, o) => ({ ...(o.dryRun ? { dryRun: true } : {}), ...(o.yes ? { confirm: true } : {}) }),
        render: renderPrune,
      }),
    );
}

function renderStats(r: ResultFor<'state.stats'>, out: TextOut): void {
  out.line(out.c.dim(`${r.kind} state store at ${r.location}`));
  out.table(r.tables, [
    { header: 'TABLE', value: (t) => t.table },
    { header: 'ROWS', value: (t) => count(t.rows), align: 'right' },
    { header: 'SIZE', value: (t) => (t.bytes === null ? '?' : bytes(t.bytes)), align: 'right' },
    { header: 'OLDEST', value: (t) => (t.oldest ? `${t.oldest.slice(0, 10)} (${ago(t.oldest)})` : '-') },
    { header: 'KEPT', value: (t) => (t.retention ? keep(t.retention.days) : '-') },
  ]);
}

function renderPrune(r: ResultFor<'state.prune'>, out: TextOut): void {
  out.table(r.counts, [
    { header: 'TABLE', value: (c) => c.table },
    { header: 'KEPT', value: (c) => keep(r.policy[c.kind]) },
    { header: 'OLDER THAN', value: (c) => (c.cutoff ? c.cutoff.slice(0, 10) : '-') },
    {
      header: r.dryRun ? 'WOULD DELETE' : 'DELETED',
      value: (c) => count(c.rows),
      align: 'right',
      color: (t, c) => (c.rows > 0 ? out.c.yellow(t) : t),
    },
  ]);
  if (r.protectedRuns > 0)
    out.line(out.c.dim(`${count(r.protectedRuns)} old run(s) kept: still running, or the last run of their pipeline`));
}
