import type { Command } from 'commander';
import type { ResultFor } from '../../../commands/catalog.js';
import { action } from '../action.js';
import { text } from '../args.js';
import { duration, plural } from '../../format.js';
import type { TextOut } from '../output.js';
import { renderWatermarkTable } from './watermarks.js';

export function registerSync(program: Command): void {
  const sync = program
    .command('sync')
    .description('Incremental sync warehouse → PostgreSQL/PGlite by watermark: run, status, setup, cleanup, check')
    .helpGroup('Pipelines:')
    .addHelpText(
      'after',
      `
Each table in pipelines.<name>.tables is read from the warehouse where its incremental column is ≥ watermark − lookback,
staged with COPY and upserted on its primary key in one transaction; the watermark moves only after the commit.
Rows with a null key or a value of the wrong type are quarantined and the watermark does not pass them.

Examples:
  opsctl sync run                         every table of every enabled sync pipeline
  opsctl sync run --table dashboard_data  one table (or pipeline/table)
  opsctl sync run --force                 ignore the watermarks: reload the whole source
  opsctl sync status                      watermark, lag, last run and next window per table
  opsctl sync setup --check               exit 1 when a target table is missing or differs from the config`,
    );

  sync
    .command('run')
    .description(
      'Sync the configured tables (exit 1 when a table failed; a run already in progress exits at once naming it)',
    )
    .option('--table <table>', 'only this table (name or pipeline/table)')
    .option('--force', 'ignore the watermark and reload the whole source')
    .option('--dry-run', 'read, check and stage everything, then roll back: nothing changes')
    .action(
      action({
        operation: 'sync.run',
        input: (_a, o) => ({
          table: text(o.table),
          force: o.force === true,
          dryRun: o.dryRun === true,
        }),
        render: renderRun,
        exitCode: (r) => (r.ok ? 0 : 1),
      }),
    );

  sync
    .command('status')
    .description('Per table: watermark, lag behind now, last run and the next window')
    .argument('[table]', 'one table (name or pipeline/table)')
    .action(
      action({
        operation: 'sync.status',
        input: ([table]) => ({ table }),
        render(r, out) {
          renderWatermarkTable(r.tables, out);
          for (const l of r.running)
            out.line(`running: ${l.name.replace(/^pipeline:/, '')} by pid ${l.pid} on ${l.host} since ${l.acquiredAt}`);
          for (const run of r.orphanedRuns)
            out.line(
              out.c.red(
                `orphaned: run ${run.id} (${run.pipeline ?? run.operation}, ${run.operation}): ${run.orphanReason}`,
              ),
            );
          if (r.orphanedRuns.length)
            out.line(
              out.c.dim(
                `the next run of the pipeline closes ${r.orphanedRuns.length === 1 ? 'it' : 'them'} as failed; \`opsctl sync cleanup\` does it now`,
              ),
            );
        },
      }),
    );

  sync
    .command('setup')
    .description('Create the target tables, etl_watermarks and etl_execution_log; hypertables where TimescaleDB exists')
    .option('--check', 'change nothing; exit 1 when something is missing or differs from the config')
    .action(
      action({
        operation: 'sync.setup',
        input: (_a, o) => ({ check: o.check === true }),
        render: renderSetup,
        exitCode: (r) => (r.ok ? 0 : 1),
      }),
    );

  sync
    .command('cleanup')
    .description('Mark sync runs left "running" by a dead process (kill -9, crash) as failed')
    .action(
      action({
        operation: 'sync.cleanup',
        input: () => ({}),
        render(r, out) {
          if (r.failed.length === 0) out.line('no orphaned sync runs');
          for (const run of r.failed) out.line(`run ${run.id} (${run.pipeline}) marked failed: ${run.error}`);
          if (r.stillRunning.length)
            out.line(`${plural(r.stillRunning.length, 'run')} still running with a live process`);
        },
      }),
    );

  sync
    .command('check')
    .description('Compare the target tables with the config: columns, types, primary keys (exit 1 on a difference)')
    .action(
      action({
        operation: 'sync.check',
        input: () => ({}),
        render(r, out) {
          for (const t of r.targets) {
            if (t.error) out.line(`${out.c.red('FAIL')} target ${t.target}: ${t.error}`);
            for (const x of t.tables)
              out.line(
                `${x.status === 'ok' ? out.c.green('ok  ') : out.c.red('FAIL')} ${t.target} ${x.pipeline}/${x.table}${x.problems.length ? `: ${x.problems.join('; ')}` : ''}`,
              );
          }
        },
        exitCode: (r) => (r.ok ? 0 : 1),
      }),
    );
}

function renderRun(r: ResultFor<'sync.run'>, out: TextOut): void {
  for (const p of r.pipelines) {
    out.line(
      out.c.bold(
        `${p.pipeline} → ${p.target} (run ${p.runId}${r.force ? ', forced' : ''}${r.dryRun ? ', dry run' : ''})`,
      ),
    );
    out.table(p.tables, [
      { header: 'TABLE', value: (t) => t.table },
      { header: 'STATUS', value: (t) => (t.status === 'ok' ? out.c.green('ok') : out.c.red(t.status)) },
      { header: 'READ', value: (t) => t.extracted, align: 'right' },
      { header: 'INSERTED', value: (t) => t.details?.inserted ?? 0, align: 'right' },
      { header: 'UPDATED', value: (t) => t.details?.updated ?? 0, align: 'right' },
      { header: 'UNCHANGED', value: (t) => t.details?.unchanged ?? 0, align: 'right' },
      { header: 'QUARANTINED', value: (t) => t.rejected, align: 'right' },
      { header: 'WINDOW FROM', value: (t) => t.details?.windowStart ?? '(all)' },
      {
        header: 'WATERMARK',
        value: (t) =>
          t.watermarkBefore === t.watermarkAfter
            ? (t.watermarkAfter ?? '-')
            : `${t.watermarkBefore ?? '-'} → ${t.watermarkAfter ?? '-'}`,
      },
      { header: 'TIME', value: (t) => duration(t.durationMs) },
      // bulk: the warehouse exported the checked rows as CSV for COPY; rows: every row checked in JS (see the README).
      { header: 'PATH', value: (t) => t.details?.path ?? '-' },
    ]);
    for (const n of p.notes) out.line(out.c.dim(`note: ${n}`));
  }
}

function renderSetup(r: ResultFor<'sync.setup'>, out: TextOut): void {
  for (const t of r.targets) {
    const status =
      t.status === 'optimal'
        ? out.c.green('optimal')
        : t.status === 'basic'
          ? out.c.yellow('basic')
          : out.c.red('unreachable');
    out.line(
      `${out.c.bold(`target ${t.target}`)} (${t.engine ?? '?'}): ${status}${t.timescale?.installed ? ` (TimescaleDB ${t.timescale.installed})` : ''}`,
    );
    if (t.error) out.line(`  ${out.c.red(t.error)}`);
    for (const x of t.tables) {
      const word = x.created ? out.c.green('created') : x.status === 'ok' ? 'ok' : out.c.red(x.status);
      out.line(
        `  ${x.pipeline}/${x.table}: ${word}${t.timescale?.hypertables.includes(x.table) ? ' · hypertable' : ''}${x.problems.length ? ` — ${x.problems.join('; ')}` : ''}`,
      );
    }
    out.line(
      `  bookkeeping: ${t.metaTables.length ? t.metaTables.join(', ') : out.c.red('etl_watermarks and etl_execution_log missing')}`,
    );
    for (const n of t.notes) out.line(out.c.dim(`  note: ${n}`));
    if (r.check && t.statements.length) for (const s of t.statements) out.line(out.c.dim(`  would run: ${s}`));
  }
}
