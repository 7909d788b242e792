import type { Command } from 'commander';
import type { ResultFor } from '../../../commands/catalog.js';
import { RUN_STATES } from '../../state/runs.js';
import { action } from '../action.js';
import { writeDiagnostic } from '../exit.js';
import { CONFIRM_TARGET_FLAG, CONFIRM_TARGET_HELP, confirmation, oneOf, required, text, wholeNumber } from '../args.js';
import { ago, count, duration, plural, watermark } from '../../format.js';
import type { TextOut } from '../output.js';

type EtlRunResult = ResultFor<'etl.run'>;
type EtlHistoryResult = ResultFor<'etl.history'>;
type EtlShowResult = ResultFor<'etl.show'>;
type EtlRetentionResult = ResultFor<'etl.retention'>;
type RunListItem = EtlHistoryResult['runs'][number];

export function registerEtl(program: Command): void {
  const etl = program
    .command('etl')
    .description('Pipelines: run them (cron), their history, one run in detail, warehouse retention')
    .helpGroup('Pipelines:');

  etl
    .command('run')
    .description('Run the configured pipelines (all enabled ones, or those named), one after another')
    .argument('[pipeline...]', 'pipeline names from config (default: every enabled pipeline)')
    .option('--dry-run', 'extract and validate without loading, quarantining or advancing watermarks')
    .addHelpText(
      'after',
      `
Each pipeline takes its lock in the state store: a second run of the same pipeline exits 1 at once, naming the
holder (host, pid, since). A lock left by a killed process is taken over as soon as that process is provably gone.
Exit codes: 0 every pipeline succeeded; 1 a pipeline failed or was locked (one line per pipeline on stderr);
2 bad usage or config.

Examples:
  opsctl etl run                      # every enabled pipeline (cron: 15 3 * * * opsctl etl run)
  opsctl etl run spotify --dry-run
  opsctl etl run spotify --json`,
    )
    .action(
      action({
        operation: 'etl.run',
        input: (args, o) => ({ ...(args.length ? { pipelines: args } : {}), ...(o.dryRun ? { dryRun: true } : {}) }),
        render: renderRun,
        // The failures go to stderr (stdout keeps the result): a text line each on a terminal, a JSON record on a pipe.
        after: (r, _o, io) => {
          for (const [i, f] of r.failures.entries()) {
            const e = r.executions.filter((x) => x.status === 'failed' || x.status === 'locked')[i];
            writeDiagnostic(
              io,
              {
                level: 'error',
                msg: f,
                ...(e ? { pipeline: e.pipeline, status: e.status, ...(e.run ? { run: e.run.id } : {}) } : {}),
                ...(e?.hint ? { hint: e.hint } : {}),
              },
              `${f}\n${e?.hint ? `hint: ${e.hint}\n` : ''}`,
            );
          }
        },
        exitCode: (r) => (r.ok ? 0 : 1),
      }),
    );

  etl
    .command('history')
    .description('Pipeline runs, newest first')
    .option('--limit <n>', 'how many runs (default 20)')
    .option('--pipeline <name>', 'only this pipeline')
    .option(
      '--status <status>',
      'only runs with this status (running, orphaned, succeeded, failed, cancelled); orphaned: marked running, process gone',
    )
    .action(
      action({
        operation: 'etl.history',
        input: (_a, o) => ({
          limit: wholeNumber(o.limit, '--limit'),
          pipeline: text(o.pipeline),
          status: oneOf(o.status, RUN_STATES, '--status'),
        }),
        render: renderHistory,
      }),
    );

  etl
    .command('show')
    .description('One run: per-table counts (extracted, loaded, rejected), watermarks, error, quarantined records')
    .argument('<run>', 'run id (from etl history)')
    .action(
      action({
        operation: 'etl.show',
        input: (args) => ({
          run: wholeNumber(required(args, 0, '<run>'), 'RUN', { hint: 'Run ids are listed by `opsctl etl history`.' }),
        }),
        render: renderShow,
      }),
    );

  etl
    .command('retention')
    .description(
      'Delete recently_played rows and top-tracks/top-artists snapshots older than an age from the warehouse',
    )
    .requiredOption('--older-than <age>', 'age in days, e.g. 90d')
    .option('--dry-run', 'count what would be deleted, delete nothing')
    .option('--yes', 'confirm the deletion (scripts, cron)')
    .option(CONFIRM_TARGET_FLAG, CONFIRM_TARGET_HELP)
    .addHelpText(
      'after',
      `
Without --yes, a terminal asks for confirmation with the counts; elsewhere the command exits 2 and deletes nothing.

Examples:
  opsctl etl retention --older-than 90d --dry-run
  opsctl etl retention --older-than 90d --yes`,
    )
    .action(
      action({
        operation: 'etl.retention',
        input: (_a, o) => ({
          olderThan: text(o.olderThan) ?? '',
          ...(o.dryRun ? { dryRun: true } : {}),
          ...confirmation(o),
        }),
        render: renderRetention,
      }),
    );
}

function statusText(out: TextOut, status: string): string {
  const color =
    status === 'succeeded' || status === 'ok'
      ? out.c.green
      : status === 'failed' || status === 'locked' || status === 'orphaned'
        ? out.c.red
        : status === 'running'
          ? out.c.cyan
          : out.c.yellow;
  return color(status);
}

function renderRun(r: EtlRunResult, out: TextOut): void {
  for (const e of r.executions) {
    const id = e.run ? ` run ${e.run.id}` : '';
    const took = e.run?.durationMs != null ? ` in ${duration(e.run.durationMs)}` : '';
    out.line(
      `${out.c.bold(e.pipeline)} (${e.kind})${id}: ${statusText(out, e.status)}${took}${r.dryRun ? out.c.dim(' (dry run)') : ''}`,
    );
    if (e.outcome) {
      out.table(e.outcome.tables, [
        { header: 'TABLE', value: (t) => t.table },
        { header: 'STATUS', value: (t) => t.status, color: (s, t) => statusText(out, t.status).replace(t.status, s) },
        { header: 'EXTRACTED', value: (t) => count(t.extracted), align: 'right' },
        { header: 'LOADED', value: (t) => count(t.loaded), align: 'right' },
        { header: 'REJECTED', value: (t) => count(t.rejected), align: 'right' },
        { header: 'NOTE', value: (t) => (t.status === 'ok' ? '' : (t.reason ?? '')).slice(0, 60) },
      ]);
      for (const note of e.outcome.notes) out.line(out.c.dim(`note: ${note}`));
    }
    // A failure's error and hint go to stderr (see `after`); a skipped pipeline's reason is part of the result.
    if (e.error && e.status === 'skipped') out.line(`${out.c.dim('skipped')}: ${e.error}`);
    out.line();
  }
  if (r.orphansClosed)
    out.line(out.c.yellow(`${plural(r.orphansClosed, 'run')} of killed processes were marked failed`));
}

export function renderHistory(r: EtlHistoryResult, out: TextOut): void {
  out.table(
    r.runs,
    [
      { header: 'RUN', value: (x: RunListItem) => x.id, align: 'right' },
      { header: 'PIPELINE', value: (x) => x.pipeline },
      {
        header: 'STATUS',
        value: (x) => `${x.status}${x.dryRun ? ' (dry)' : ''}`,
        color: (s, x) => statusText(out, x.status).replace(x.status, s),
      },
      { header: 'STARTED', value: (x) => `${x.startedAt.slice(0, 19).replace('T', ' ')} (${ago(x.startedAt)})` },
      { header: 'DURATION', value: (x) => duration(x.durationMs), align: 'right' },
      { header: 'LOADED', value: (x) => count(x.rowsLoaded), align: 'right' },
      { header: 'REJECTED', value: (x) => count(x.rowsRejected), align: 'right' },
      { header: 'TRIGGER', value: (x) => x.trigger },
      { header: 'ERROR', value: (x) => (x.error ?? x.orphanReason ?? '').replace(/\s+/g, ' ').slice(0, 60) },
    ],
    { empty: '(no pipeline runs yet: opsctl etl run)' },
  );
  if (r.runs.length < r.total) out.line(out.c.dim(`${r.runs.length} of ${r.total} runs shown (--limit)`));
}

function renderShow(r: EtlShowResult, out: TextOut): void {
  const run = r.run;
  out.kv([
    ['run', `${run.id} ${run.pipeline}${run.kind ? ` (${run.kind})` : ''}`],
    ['status', statusText(out, run.status) + (run.dryRun ? ' (dry run)' : '')],
    ['started', `${run.startedAt} by ${run.trigger} (pid ${run.pid} on ${run.host})`],
    ['duration', duration(run.durationMs)],
    [
      'rows',
      `${count(run.rowsExtracted)} extracted, ${count(run.rowsLoaded)} loaded, ${count(run.rowsRejected)} rejected`,
    ],
    ...(run.error ? ([['error', out.c.red(run.error)]] as Array<[string, unknown]>) : []),
    ...(run.orphanReason
      ? ([
          ['orphaned', `${out.c.red(run.orphanReason)} (the next run of ${run.pipeline} closes it as failed)`],
        ] as Array<[string, unknown]>)
      : []),
  ]);
  out.line();
  out.table(
    r.tables,
    [
      { header: 'TABLE', value: (t) => t.table },
      { header: 'STATUS', value: (t) => t.status, color: (s, t) => statusText(out, t.status).replace(t.status, s) },
      { header: 'EXTRACTED', value: (t) => count(t.extracted), align: 'right' },
      { header: 'LOADED', value: (t) => count(t.loaded), align: 'right' },
      { header: 'REJECTED', value: (t) => count(t.rejected), align: 'right' },
      { header: 'TOOK', value: (t) => duration(t.durationMs), align: 'right' },
      {
        header: 'WATERMARK',
        value: (t) =>
          t.watermarkAfter !== null || t.watermarkBefore !== null
            ? `${watermark(t.watermarkBefore)} → ${watermark(t.watermarkAfter)}`
            : '',
      },
      { header: 'REASON', value: (t) => (t.reason ?? '').slice(0, 70) },
    ],
    { empty: '(no per-table counts recorded)' },
  );
  for (const note of r.notes) out.line(out.c.dim(`note: ${note}`));
  const total = Object.values(r.quarantinedByTable).reduce((a, b) => a + b, 0);
  if (total) {
    out.line();
    out.line(
      out.c.bold(
        `Quarantined records (${total}: ${Object.entries(r.quarantinedByTable)
          .map(([t, c]) => `${t} ${c}`)
          .join(', ')})`,
      ),
    );
    out.table(r.quarantined, [
      { header: 'TABLE', value: (q) => q.table },
      { header: 'REASON', value: (q) => q.reason.slice(0, 60) },
      { header: 'PAYLOAD', value: (q) => JSON.stringify(q.payload).slice(0, 60) },
    ]);
    if (r.quarantined.length < total)
      out.line(
        out.c.dim(
          `${r.quarantined.length} of ${total} shown; all with payloads: opsctl quarantine list --run ${run.id}`,
        ),
      );
  }
}

function renderRetention(r: EtlRetentionResult, out: TextOut): void {
  out.line(
    `${r.dryRun ? 'would delete' : 'deleted'} ${plural(r.total, 'row')} older than ${r.olderThanDays} days (before ${r.cutoff}) from ${r.warehouse}`,
  );
  out.table(r.tables, [
    { header: 'TABLE', value: (t) => t.table },
    { header: 'BY', value: (t) => t.column },
    { header: r.dryRun ? 'WOULD DELETE' : 'DELETED', value: (t) => count(t.rows), align: 'right' },
  ]);
  if (r.runId) out.line(out.c.dim(`recorded as run ${r.runId}`));
}
