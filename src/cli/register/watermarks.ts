import type { Command } from 'commander';
import type { ResultFor } from '../../../commands/catalog.js';
import { span } from '../../format.js';
import { action } from '../action.js';
import { CONFIRM_TARGET_FLAG, CONFIRM_TARGET_HELP, confirmation, required } from '../args.js';
import { duration } from '../../format.js';
import type { TextOut } from '../output.js';

const lag = (seconds: number | null) => (seconds === null ? '-' : span(seconds * 1000));

export function renderWatermarkTable(rows: ResultFor<'watermarks.list'>['watermarks'], out: TextOut): void {
  out.table(
    rows,
    [
      { header: 'TABLE', value: (w) => `${w.pipeline}/${w.table}` },
      { header: 'WATERMARK', value: (w) => w.value ?? '(none)' },
      {
        header: 'LAG',
        value: (w) => (w.lagging ? out.c.red(lag(w.lagSeconds)) : lag(w.lagSeconds)),
        align: 'right',
      },
      { header: 'LIMIT', value: (w) => lag(w.limitSeconds), align: 'right' },
      {
        header: 'LAST RUN',
        value: (w) => (w.lastRun ? `${w.lastRun.status} ${w.lastRun.at.slice(0, 16).replace('T', ' ')}` : '-'),
      },
      {
        header: 'ROWS',
        value: (w) =>
          w.lastRun
            ? `${w.lastRun.rowsLoaded}/${w.lastRun.rowsExtracted}${w.lastRun.rowsRejected ? ` (${w.lastRun.rowsRejected} quarantined)` : ''}`
            : '-',
      },
      {
        header: 'NEXT WINDOW',
        value: (w) => (w.windowStart ? `${w.incrementalColumn} ≥ ${w.windowStart}` : '(whole source)'),
      },
    ],
    { empty: '(no sync tables configured)' },
  );
}

const renderChange = (r: ResultFor<'watermarks.set'>, out: TextOut) =>
  out.line(`${r.pipeline}/${r.table}: ${r.before ?? '(none)'} → ${r.after ?? '(none)'}; ${r.note}`);

export function registerWatermarks(program: Command): void {
  const wm = program
    .command('watermarks')
    .description('Sync watermarks: list, get, set, reset (set and reset ask for confirmation; --yes in scripts)')
    .helpGroup('Pipelines:');

  wm.command('list')
    .description('Every sync table: watermark, lag behind now (red beyond max_lag), last run, next window')
    .action(
      action({
        operation: 'watermarks.list',
        input: () => ({}),
        render: (r, out) => renderWatermarkTable(r.watermarks, out),
      }),
    );

  wm.command('get')
    .description("One table's watermark and how it moved over its latest runs")
    .argument('<table>', 'name or pipeline/table')
    .action(
      action({
        operation: 'watermarks.get',
        input: (args) => ({ table: required(args, 0, '<table>') }),
        render(r, out) {
          renderWatermarkTable([r], out);
          out.line();
          out.table(
            r.history,
            [
              { header: 'RUN', value: (e) => e.runId ?? '-', align: 'right' },
              { header: 'AT', value: (e) => e.startedAt.slice(0, 19).replace('T', ' ') },
              { header: 'STATUS', value: (e) => e.status },
              { header: 'READ', value: (e) => e.rowsExtracted, align: 'right' },
              { header: 'UPSERTED', value: (e) => e.rowsLoaded, align: 'right' },
              { header: 'REJECTED', value: (e) => e.rowsRejected, align: 'right' },
              { header: 'WATERMARK', value: (e) => `${e.watermarkBefore ?? '-'} → ${e.watermarkAfter ?? '-'}` },
              { header: 'TIME', value: (e) => duration(e.durationMs) },
            ],
            { empty: '(no runs yet)' },
          );
        },
      }),
    );

  wm.command('set')
    .description("Set a table's watermark (the next run reads from it minus the lookback)")
    .argument('<table>', 'name or pipeline/table')
    .argument('<value>', 'a date, timestamp or integer, as the incremental column')
    .option('-y, --yes', 'do not ask for confirmation')
    .option(CONFIRM_TARGET_FLAG, CONFIRM_TARGET_HELP)
    .action(
      action({
        operation: 'watermarks.set',
        input: (args, o) => ({
          table: required(args, 0, '<table>'),
          value: required(args, 1, '<value>'),
          ...confirmation(o),
        }),
        render: renderChange,
      }),
    );

  wm.command('reset')
    .description("Forget a table's watermark: the next run reloads its whole source")
    .argument('<table>', 'name or pipeline/table')
    .option('-y, --yes', 'do not ask for confirmation')
    .option(CONFIRM_TARGET_FLAG, CONFIRM_TARGET_HELP)
    .action(
      action({
        operation: 'watermarks.reset',
        input: (args, o) => ({ table: required(args, 0, '<table>'), ...confirmation(o) }),
        render: renderChange,
      }),
    );
}
