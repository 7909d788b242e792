import type { Command } from 'commander';
import type { ResultFor } from '../../../commands/catalog.js';
import { ago, count, plural } from '../../format.js';
import { action } from '../action.js';
import { CONFIRM_TARGET_FLAG, CONFIRM_TARGET_HELP, confirmation, required, text, wholeNumber } from '../args.js';
import type { TextOut } from '../output.js';

export function registerQuarantine(program: Command): void {
  const quarantine = program
    .command('quarantine')
    .description('Rows that failed validation, kept with their reason: list, show one with its payload, purge')
    .helpGroup('Pipelines:');

  quarantine
    .command('list')
    .description('Quarantined records, newest first: id, pipeline, table, run, reason, age')
    .option('--pipeline <name>', 'only this pipeline')
    .option('--table <name>', 'only this table')
    .option('--reason <text>', 'only reasons containing this text (any case)')
    .option('--run <id>', 'only records of this run (from etl history)')
    .option('--limit <n>', 'how many records (default 50, at most 1000)')
    .option('--before <id>', 'the next page: records older than this id (the last id shown)')
    .addHelpText(
      'after',
      `
--json prints each record with its whole payload, and nextBeforeId for the next page.

Examples:
  opsctl quarantine list
  opsctl quarantine list --pipeline spotify --table recently_played --reason "missing"
  opsctl quarantine list --pipeline pulso --json | jq '.records[].payload'`,
    )
    .action(
      action({
        operation: 'quarantine.list',
        input: (_a, o) => ({
          pipeline: text(o.pipeline),
          table: text(o.table),
          reason: text(o.reason),
          run: wholeNumber(o.run, '--run'),
          limit: wholeNumber(o.limit, '--limit'),
          beforeId: wholeNumber(o.before, '--before'),
        }),
        render: renderList,
      }),
    );

  quarantine
    .command('show')
    .description('One quarantined record: pipeline, table, run, reason, age and the payload, pretty-printed')
    .argument('<id>', 'record id (from quarantine list)')
    .addHelpText('after', '\nExamples:\n  opsctl quarantine show 42\n  opsctl quarantine show 42 --json')
    .action(
      action({
        operation: 'quarantine.show',
        input: (args) => ({
          id: wholeNumber(required(args, 0, '<id>'), 'ID', {
            hint: 'Record ids are listed by `opsctl quarantine list`.',
          }),
        }),
        render: renderShow,
      }),
    );

  quarantine
    .command('purge')
    .description(
      'Delete quarantined records you have dealt with (older than an age, of a pipeline or table); asks first',
    )
    .option('--older-than <age>', 'only records quarantined longer ago than this, e.g. 30d, 12h (default: any age)')
    .option('--pipeline <name>', 'only this pipeline')
    .option('--table <name>', 'only this table')
    .option('--dry-run', 'only count what would be deleted')
    .option('-y, --yes', 'delete without asking (scripts)')
    .option(CONFIRM_TARGET_FLAG, CONFIRM_TARGET_HELP)
    .addHelpText(
      'after',
      `
Without --yes a terminal asks, showing the counts; elsewhere the command exits 2 and deletes nothing. With
environment "production" the name to type (or pass as --confirm-target) is "quarantine". Records quarantined while
the purge runs stay. state.retention.quarantine (default 90 days) purges on its own after each etl run.

Examples:
  opsctl quarantine purge --older-than 30d --dry-run
  opsctl quarantine purge --pipeline spotify --older-than 7d --yes`,
    )
    .action(
      action({
        operation: 'quarantine.purge',
        input: (_a, o) => ({
          olderThan: text(o.olderThan),
          pipeline: text(o.pipeline),
          table: text(o.table),
          ...(o.dryRun ? { dryRun: true } : {}),
          ...confirmation(o),
        }),
        render: renderPurge,
      }),
    );
}

type Quarantined = ResultFor<'quarantine.show'>;

function renderList(r: ResultFor<'quarantine.list'>, out: TextOut): void {
  out.table(
    r.records,
    [
      { header: 'ID', value: (q: Quarantined) => q.id, align: 'right' },
      { header: 'PIPELINE', value: (q) => q.pipeline },
      { header: 'TABLE', value: (q) => q.table },
      { header: 'RUN', value: (q) => q.runId ?? '-', align: 'right' },
      { header: 'AGE', value: (q) => ago(q.createdAt) },
      { header: 'REASON', value: (q) => q.reason.replace(/\s+/g, ' ').slice(0, 70) },
    ],
    { empty: '(nothing quarantined matches)' },
  );
  if (r.nextBeforeId !== null)
    out.line(out.c.dim(`${r.records.length} of ${count(r.total)} shown; next page: --before ${r.nextBeforeId}`));
  if (r.records.length) out.line(out.c.dim('the payload: opsctl quarantine show ID'));
}

function renderShow(q: Quarantined, out: TextOut): void {
  out.kv([
    ['id', q.id],
    ['pipeline', q.pipeline],
    ['table', q.table],
    ['run', q.runId === null ? '-' : `${q.runId} (opsctl etl show ${q.runId})`],
    ['quarantined', `${q.createdAt} (${ago(q.createdAt)})`],
    ['reason', q.reason],
  ]);
  out.line();
  out.line(out.c.bold('payload'));
  out.line(typeof q.payload === 'string' ? q.payload : JSON.stringify(q.payload, null, 2));
}

function renderPurge(r: ResultFor<'quarantine.purge'>, out: TextOut): void {
  const total = r.groups.reduce((n, g) => n + g.count, 0);
  const scope = [
    r.pipeline ? `pipeline ${r.pipeline}` : '',
    r.table ? `table ${r.table}` : '',
    r.cutoff ? `quarantined before ${r.cutoff.slice(0, 16).replace('T', ' ')}` : '',
  ].filter(Boolean);
  const what = `${scope.length ? ` (${scope.join(', ')})` : ''}`;
  if (total === 0) {
    out.line(`nothing quarantined to delete${what}`);
    return;
  }
  out.table(r.groups, [
    { header: 'PIPELINE', value: (g) => g.pipeline },
    { header: 'TABLE', value: (g) => g.table },
    {
      header: r.dryRun ? 'WOULD DELETE' : 'DELETED',
      value: (g) => count(g.count),
      align: 'right',
      color: (t) => out.c.yellow(t),
    },
  ]);
  out.line(
    r.dryRun ? `would delete ${plural(total, 'record')}${what}` : `deleted ${plural(r.removed, 'record')}${what}`,
  );
}
