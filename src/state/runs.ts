import { currentProcess, isProcessAlive } from '../util/process.js';
import { num, numOrNull, parseJson, redactText, toJson } from './json.js';
import type { SqlRunner } from './store.js';
import { Where } from './where.js';

/** The statuses a run is stored with. */
export const RUN_STATUSES = ['running', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/**
 * What a run shows as in every face: its stored status, or `orphaned` for a run still stored as running whose holder
 * is provably gone (same host and its pid dead or recycled; another host and its heartbeat older than
 * RUN_STALE_AFTER_MS). Derived once, here, when a row is read.
 */
export const RUN_STATES = [...RUN_STATUSES, 'orphaned'] as const;
export type RunState = (typeof RUN_STATES)[number];
/** A run on another host whose heartbeat is older than this is orphaned (long runs heartbeat every 15 s). */
export const RUN_STALE_AFTER_MS = 15 * 60_000;
export type RunTrigger = 'cli' | 'tui' | 'bot' | 'cron' | 'demo';

export interface Run {
  id: number;
  operation: string;
  pipeline: string | null;
  status: RunState;
  /** Why a run stored as running is orphaned (its process exited; no heartbeat since …); null for every other run. */
  orphanReason: string | null;
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

/**
 * Why a row stored as running belongs to a holder that is provably gone, or null while it may still run. A process on
 * this host is asked directly (pid and start time); one on another host is judged by its heartbeat.
 */
function orphanReasonOf(row: RunRow, now: number, staleAfterMs = RUN_STALE_AFTER_MS): string | null {
  if (row.status !== 'running') return null;
  const pid = num(row.pid);
  const alive = isProcessAlive({ host: row.host, pid, start: row.process_start });
  if (alive === false) return `process ${pid} on ${row.host} exited without finishing the run`;
  const beat = row.heartbeat_at ?? row.started_at;
  if (alive === undefined && now - new Date(beat).getTime() > staleAfterMs)
    return `no heartbeat from ${row.host} since ${beat}`;
  return null;
}

function toRun(row: RunRow, now = Date.now()): Run {
  const orphanReason = orphanReasonOf(row, now);
  return {
    id: num(row.id),
    operation: row.operation,
    pipeline: row.pipeline,
    status: orphanReason ? 'orphaned' : row.status,
    orphanReason,
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

/**
 * Records a new run. Runs of the same subject (the same pipeline or target, whatever the operation; the same
 * operation when there is no subject) left running by a holder that is provably gone are closed as failed first, so
 * the next run of any kind ends what a killed one left.
 */
export async function startRun(
  db: SqlRunner,
  input: { operation: string; pipeline?: string | null; trigger?: RunTrigger; summary?: unknown },
): Promise<Run> {
  await failOrphanedRuns(
    db,
    input.pipeline ? { pipeline: input.pipeline } : { operation: input.operation, subjectless: true },
  );
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
  /** `running` leaves out orphaned runs; `orphaned` lists only them (both read the few rows stored as running). */
  status?: RunState;
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
  if (filter.status) w.add('status = ?', filter.status === 'orphaned' ? 'running' : filter.status);
  if (filter.pipelinesOnly) w.add("pipeline IS NOT NULL AND (operation LIKE 'etl.%' OR operation LIKE 'sync.%')");
  if (filter.beforeId) w.add('id < ?', filter.beforeId);
  return w;
}

/** Running and orphaned are told apart after reading: both are stored as running (few rows, on the status index). */
const isLiveState = (status: RunState | undefined): status is 'running' | 'orphaned' =>
  status === 'running' || status === 'orphaned';

/** Newest first. */
export async function listRuns(db: SqlRunner, filter: RunFilter = {}): Promise<Run[]> {
  const w = where(filter);
  const limit = filter.limit ?? 50;
  if (isLiveState(filter.status)) {
    const rows = await db.query<RunRow>(`SELECT ${COLUMNS} FROM runs ${w.sql} ORDER BY id DESC`, w.params);
    const now = Date.now();
    return rows
      .map((r) => toRun(r, now))
      .filter((r) => r.status === filter.status)
      .slice(0, limit);
  }
  const rows = await db.query<RunRow>(`SELECT ${COLUMNS} FROM runs ${w.sql} ORDER BY id DESC LIMIT ?`, [
    ...w.params,
    limit,
  ]);
  const now = Date.now();
  return rows.map((r) => toRun(r, now));
}

export async function countRuns(db: SqlRunner, filter: Omit<RunFilter, 'limit' | 'beforeId'> = {}): Promise<number> {
  if (isLiveState(filter.status)) return (await listRuns(db, { ...filter, limit: Number.MAX_SAFE_INTEGER })).length;
  // From the counters kept on write (schema/counters.ts), not a count over the table: the Runs pane's total costs
  // the same at a million runs. run_counts stores a run without a pipeline under ''.
  const w = new Where();
  if (filter.operation) w.add('operation = ?', filter.operation);
  if (filter.pipeline) w.add('pipeline = ?', filter.pipeline);
  if (filter.status) w.add('status = ?', filter.status);
  if (filter.pipelinesOnly) w.add("pipeline <> '' AND (operation LIKE 'etl.%' OR operation LIKE 'sync.%')");
  const rows = await db.query<{ n: number }>(`SELECT COALESCE(SUM(n), 0) AS n FROM run_counts ${w.sql}`, w.params);
  return num(rows[0]?.n);
}

/** Every run stored as running, orphaned ones included (the status index: a handful of rows), newest first. */
export async function listOpenRuns(db: SqlRunner): Promise<Run[]> {
  const rows = await db.query<RunRow>(`SELECT ${COLUMNS} FROM runs WHERE status = 'running' ORDER BY id DESC`);
  const now = Date.now();
  return rows.map((r) => toRun(r, now));
}

/** Closes one orphaned run as failed with its reason; a run another process closed meanwhile is left alone. */
async function closeOrphan(db: SqlRunner, row: RunRow, reason: string, now: number): Promise<Run | undefined> {
  const rows = await db.query<RunRow>(
    `UPDATE runs SET status = 'failed', finished_at = ?, duration_ms = ?, error = ?
     WHERE id = ? AND status = 'running' RETURNING ${COLUMNS}`,
    [new Date(now).toISOString(), now - new Date(row.started_at).getTime(), redactText(reason), num(row.id)],
  );
  return rows[0] ? toRun(rows[0], now) : undefined;
}

/**
 * Runs still marked running whose process is provably gone (same host, pid dead or recycled), or, on another host,
 * whose heartbeat is older than `staleAfterMs`. They become failed with the reason.
 */
export async function failOrphanedRuns(
  db: SqlRunner,
  options: {
    operation?: string;
    pipeline?: string;
    /** Only runs recorded without a subject (pipeline column null). */
    subjectless?: boolean;
    /** Only runs of this process (a lock's dead holder). */
    holder?: { host: string; pid: number };
    staleAfterMs?: number;
    /** Appended to the recorded reason, e.g. who closed it. */
    closedBy?: string;
  } = {},
): Promise<Run[]> {
  const w = new Where().add("status = 'running'");
  if (options.operation) w.add('operation = ?', options.operation);
  if (options.pipeline) w.add('pipeline = ?', options.pipeline);
  if (options.subjectless) w.add('pipeline IS NULL');
  if (options.holder) w.add('host = ? AND pid = ?', options.holder.host, options.holder.pid);
  const running = await db.query<RunRow>(`SELECT ${COLUMNS} FROM runs ${w.sql} ORDER BY id`, w.params);
  const now = Date.now();
  const closed: Run[] = [];
  for (const row of running) {
    const reason = orphanReasonOf(row, now, options.staleAfterMs);
    if (!reason) continue;
    const run = await closeOrphan(db, row, options.closedBy ? `${reason}; ${options.closedBy}` : reason, now);
    if (run) closed.push(run);
  }
  return closed;
}

/** A pipeline's newest finished run and, when it failed, the failures since its last success. */
export interface PipelineRunStreak {
  pipeline: string;
  /** The newest succeeded or failed pipeline run (etl.* or sync.*); null before the first. */
  last: Run | null;
  lastSuccessAt: string | null;
  /** Failed runs after the last success (capped at `cap`; `capped` says so). */
  failuresSinceSuccess: number;
  capped: boolean;
  /** When the first of those failures started. */
  failingSince: string | null;
}

const PIPELINE_OPS = "(operation LIKE 'etl.%' OR operation LIKE 'sync.%')";

/**
 * Reads a pipeline's failure streak through seeks on the (pipeline, status, id) index: the newest failed and the
 * newest succeeded run, then at most `cap` failures after the success. Its cost does not grow with the history.
 */
export async function pipelineRunStreak(db: SqlRunner, pipeline: string, cap = 1000): Promise<PipelineRunStreak> {
  const newest = async (status: 'failed' | 'succeeded') =>
    (
      await db.query<RunRow>(
        `SELECT ${COLUMNS} FROM runs WHERE pipeline = ? AND status = ? AND ${PIPELINE_OPS} ORDER BY id DESC LIMIT 1`,
        [pipeline, status],
      )
    )[0];
  const [failed, succeeded] = await Promise.all([newest('failed'), newest('succeeded')]);
  const last = [failed, succeeded].filter((r) => r !== undefined).sort((a, b) => num(b.id) - num(a.id))[0];
  const base = {
    pipeline,
    last: last ? toRun(last) : null,
    lastSuccessAt: succeeded ? (succeeded.finished_at ?? succeeded.started_at) : null,
  };
  if (!failed || (succeeded && num(succeeded.id) > num(failed.id)))
    return { ...base, failuresSinceSuccess: 0, capped: false, failingSince: null };
  const after = succeeded ? num(succeeded.id) : 0;
  const streak = await db.query<{ started_at: string }>(
    `SELECT started_at FROM runs WHERE pipeline = ? AND status = 'failed' AND id > ? AND ${PIPELINE_OPS}
     ORDER BY id DESC LIMIT ?`,
    [pipeline, after, cap + 1],
  );
  return {
    ...base,
    failuresSinceSuccess: Math.min(streak.length, cap),
    capped: streak.length > cap,
    failingSince: streak.at(-1)?.started_at ?? null,
  };
}
