import { ago, bold, duration, esc, italic, lines, statusIcon } from '../format.js';
import { list, num, str, time } from '../shape.js';
import { rowsLoaded } from './common.js';
import type { BotCommand } from './types.js';

export const RUNS_SHOWN = 10;

/** `/runs [pipeline]`: the latest pipeline runs, from `etl.history`. */
export const runsCommand: BotCommand = {
  name: 'runs',
  description: 'The latest pipeline runs',
  usage: '/runs [pipeline]',
  operations: ['etl.history'],
  async run(request) {
    const pipeline = request.args.split(/\s+/)[0] || undefined;
    const result = await request.invoke('etl.history', { limit: RUNS_SHOWN, ...(pipeline ? { pipeline } : {}) });
    return formatRuns(result, pipeline);
  },
};

/** One line per run: icon, id, pipeline, when, how long, rows; a failed run adds its error. */
export function formatRun(run: unknown, now = Date.now()): string {
  const status = str(run, 'status', 'run.status');
  const id = str(run, 'id', 'runId', 'run.id');
  const name = str(run, 'pipeline', 'name', 'run.pipeline', 'operation') ?? '?';
  const started = time(run, 'startedAt', 'started_at', 'run.startedAt');
  const ms = num(run, 'durationMs', 'duration_ms', 'run.durationMs');
  const rows = rowsLoaded(run);
  const parts = [id ? `#${id}` : undefined, name, started === undefined ? undefined : ago(started, now), status === 'running' ? 'running' : ms === undefined ? undefined : duration(ms), rows === undefined ? undefined : `${rows.toLocaleString('en-US')} rows`];
  const line = `${statusIcon(status)} ${esc(parts.filter(Boolean).join(' · '))}`;
  const error = str(run, 'error', 'run.error');
  return status === 'failed' && error ? `${line}\n    ${italic(error.slice(0, 160))}` : line;
}

export function formatRuns(result: unknown, pipeline?: string, now = Date.now()): string {
  const runs = list(result, 'runs', 'items', 'history').slice(0, RUNS_SHOWN);
  const title = bold(pipeline ? `Runs of ${pipeline}` : 'Latest runs');
  if (runs.length === 0) return lines(title, esc('No runs recorded yet.'));
  return lines(title, ...runs.map((r) => formatRun(r, now)));
}
