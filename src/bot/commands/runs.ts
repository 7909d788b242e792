import type { ResultFor } from '../../../commands/catalog.js';
import { ago, count, duration, plural } from '../../format.js';
import { bold, esc, italic, lines, statusIcon } from '../format.js';
import type { BotCommand } from './types.js';

export const RUNS_SHOWN = 10;

/** `/runs [pipeline]`: the latest pipeline runs, from `etl.history`. */
export const runsCommand: BotCommand = {
  name: 'runs',
  description: 'The latest pipeline runs',
  usage: '/runs [pipeline]',
  async run(request) {
    const pipeline = request.args.split(/\s+/)[0] || undefined;
    const result = await request.invoke('etl.history', { limit: RUNS_SHOWN, ...(pipeline ? { pipeline } : {}) });
    return formatRuns(result, pipeline);
  },
};

type EtlHistoryResult = ResultFor<'etl.history'>;
type RunListItem = EtlHistoryResult['runs'][number];

/** One line per run: icon, id, pipeline, when, how long, rows; a failed run adds its error. */
export function formatRun(run: RunListItem, now = Date.now()): string {
  const parts = [
    `#${run.id}`,
    run.pipeline,
    ago(run.startedAt, now),
    run.status === 'running' || run.status === 'orphaned'
      ? run.status
      : run.durationMs === null
        ? undefined
        : duration(run.durationMs),
    run.rowsLoaded ? plural(run.rowsLoaded, 'row') : undefined,
    run.rowsRejected ? `${count(run.rowsRejected)} rejected` : undefined,
    run.dryRun ? 'dry run' : undefined,
  ];
  const line = `${statusIcon(run.status)} ${esc(parts.filter(Boolean).join(' · '))}`;
  const why = run.status === 'orphaned' ? run.orphanReason : run.status !== 'succeeded' ? run.error : null;
  return why ? `${line}\n    ${italic(why.slice(0, 160))}` : line;
}

export function formatRuns(result: EtlHistoryResult, pipeline?: string, now = Date.now()): string {
  const runs = result.runs.slice(0, RUNS_SHOWN);
  const title = bold(pipeline ? `Runs of ${pipeline}` : 'Latest runs');
  if (runs.length === 0) return lines(title, esc('No runs recorded yet.'));
  const more =
    result.total > runs.length ? italic(`${runs.length} of ${result.total} · opsctl etl history`) : undefined;
  return lines(title, ...runs.map((r) => formatRun(r, now)), more);
}
