import { currentProcess, isProcessAlive } from '../util/process.js';
import { num, numOrNull, parseJson, redactText, toJson } from './json.js';
import type { SqlRunner } from './store.js';
import { Where } from './where.js';

export const RUN_STATUSES = ['running', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export type RunTrigger = 'cli' | 'tui' | 'bot' | 'cron' | 'demo';

export interface Run {
  id: number;
  operation: string;
  pipeline: string | null;
  status: RunStatus;
  trigger: string;
  host: string;
  pid: number;
  startedAt: string;
  heartbeatAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  summary: unknown;
  error: string | null;
}

interface RunRow {
  id: number;
  operation: string;
  pipeline: string | null;
  status: RunStatus;
  trigger: string;
  host: string;
  pid: number;
  process_start: string | null;
  started_at: string;
  heartbeat_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  summary: unknown;
  error: string | null;
}

const COLUMNS =
  'id, operation, pipeline, status, trigger, host, pid, process_start, started_at, heartbeat_at, finished_at, duration_ms, summary, error';

function toRun(row: RunRow): Run {
  return {
    id: num(row.id),
    operation: row.operation,
    pipeline: row.pipeline,
    status: row.status,
    trigger: row.trigger,
    host: row.host,
    pid: num(row.pid),
    startedAt: row.started_at,
    heartbeatAt: row.heartbeat_at,
    finishedAt: row.finished_at,
    durationMs: numOrNull(row.duration_ms),
    summary: parseJson(row.summary),
    error: row.error,
  };
}

export async function startRun(
  db: SqlRunner,
  input: { operation: string; pipeline?: string | null; trigger?: RunTrigger; summary?: unknown },
): Promise<Run> {
  const me = currentProcess();
  const now = new Date().toISOString();
  const rows = await db.query<RunRow>(
    `INSERT INTO runs (operation, pipeline, status, trigger, host, pid, process_start, started_at, heartbeat_at, summary)
     VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
    [
      input.operation,
      input.pipeline ?? null,
      input.trigger ?? 'cli',
      me.host,
      me.pid,
      me.start,
      now,
      now,
      toJson(input.summary),
    ],
  );
  return toRun(rows[0]!);
}

export async function finishRun(
  db: SqlRunner,
  id: number,
  outcome: { status: Exclude<RunStatus, 'running'>; summary?: unknown; error?: string | null },
): Promise<Run> {
  const now = new Date();
  const current = await getRun(db, id);
  if (!current) throw new Error(`run ${id} does not exist`);
  const duration = now.getTime() - new Date(current.startedAt).getTime();
  const rows = await db.query<RunRow>(
    `UPDATE runs SET status = ?, finished_at = ?, duration_ms = ?, summary = COALESCE(?, summary), error = ?
     WHERE id = ? RETURNING ${COLUMNS}`,
    [outcome.status, now.toISOString(), duration, toJson(outcome.summary), redactText(outcome.error), id],
  );
  return toRun(rows[0]!);
}

/** Progress of a long run, so `sync cleanup` and other processes can tell it is alive. */
export async function heartbeatRun(db: SqlRunner, id: number, summary?: unknown): Promise<void> {
  await db.run('UPDATE runs SET heartbeat_at = ?, summary = COALESCE(?, summary) WHERE id = ?', [
    new Date().toISOString(),
    toJson(summary),
    id,
  ]);
}

export async function getRun(db: SqlRunner, id: number): Promise<Run | undefined> {
  const rows = await db.query<RunRow>(`SELECT ${COLUMNS} FROM runs WHERE id = ?`, [id]);
  return rows[0] ? toRun(rows[0]) : undefined;
}

export interface RunFilter {
  operation?: string;
  pipeline?: string;
  status?: RunStatus;
  /**
   * Only pipeline runs: etl.* and sync.* runs that name a pipeline. Other operations record a subject in the same
   * column (a backup its target, so alerts key per target) and are not pipeline runs.
   */
  pipelinesOnly?: boolean;
  /** Only runs with an id below this (keyset pagination, newest first). */
  beforeId?: number;
  limit?: number;
}

function where(filter: RunFilter): Where {
  const w = new Where();
  if (filter.operation) w.add('operation = ?', filter.operation);
  if (filter.pipeline) w.add('pipeline = ?', filter.pipeline);
  if (filter.status) w.add('status = ?', filter.status);
  if (filter.pipelinesOnly) w.add("pipeline IS NOT NULL AND (operation LIKE 'etl.%' OR operation LIKE 'sync.%')");
  if (filter.beforeId) w.add('id < ?', filter.beforeId);
  return w;
}

/** Newest first. */
export async function listRuns(db: SqlRunner, filter: RunFilter = {}): Promise<Run[]> {
  const w = where(filter);
  const rows = await db.query<RunRow>(`SELECT ${COLUMNS} FROM runs ${w.sql} ORDER BY id DESC LIMIT ?`, [
    ...w.params,
    filter.limit ?? 50,
  ]);
  return rows.map(toRun);
}

export async function countRuns(db: SqlRunner, filter: Omit<RunFilter, 'limit' | 'beforeId'> = {}): Promise<number> {
  const w = where(filter);
  const rows = await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM runs ${w.sql}`, w.params);
  return num(rows[0]?.n);
}

/**
 * Runs still marked running whose process is provably gone (same host, pid dead or recycled), or, on another host,
 * whose heartbeat is older than `staleAfterMs`. They become failed with a reason.
 */
export async function failOrphanedRuns(
  db: SqlRunner,
  options: { operation?: string; staleAfterMs?: number } = {},
): Promise<Run[]> {
  const running = await db.query<RunRow>(
    `SELECT ${COLUMNS} FROM runs WHERE status = 'running'${options.operation ? ' AND operation = ?' : ''} ORDER BY id`,
    options.operation ? [options.operation] : [],
  );
  const staleBefore = Date.now() - (options.staleAfterMs ?? 15 * 60_000);
  const orphaned: Run[] = [];
  for (const row of running) {
    const alive = isProcessAlive({ host: row.host, pid: num(row.pid), start: row.process_start });
    const heartbeat = new Date(row.heartbeat_at ?? row.started_at).getTime();
    if (alive === false || (alive === undefined && heartbeat < staleBefore)) {
      const reason =
        alive === false
          ? `process ${row.pid} on ${row.host} exited without finishing the run`
          : `no heartbeat from ${row.host} since ${row.heartbeat_at ?? row.started_at}`;
      orphaned.push(await finishRun(db, num(row.id), { status: 'failed', error: reason }));
    }
  }
  return orphaned;
}
