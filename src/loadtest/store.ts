import { NotFoundError } from '../errors.js';
import { num, parseJson, toJson } from '../state/json.js';
import type { SqlRunner } from '../state/store.js';
import type { ErrorKind, SecondSample } from './types.js';
import type { LatencySummary } from './histogram.js';
import type { ThresholdResult } from './thresholds.js';

/** What a run was asked to do, as stored (sensitive header values replaced by "***"). */
export interface RunPlanSummary {
  model: 'closed' | 'open';
  connections: number;
  rate?: number;
  requests?: number;
  durationMs?: number;
  warmupMs: number;
  timeoutMs: number;
  headers: Record<string, string>;
  bodyBytes: number;
}

export interface LoadTestRun {
  id: number;
  profile: string | null;
  url: string;
  method: string;
  startedAt: string;
  finishedAt: string;
  plan: RunPlanSummary;
  durationMs: number;
  requests: number;
  responses: number;
  /** Answered requests per second. */
  rps: number;
  /** Requests finished per second, answered or not (absent on runs stored before it was recorded). */
  sentRps?: number;
  bytesRead: number;
  latency: LatencySummary;
  statusCodes: Record<string, number>;
  errors: Record<ErrorKind, number>;
  /** Transport errors plus non-2xx answers. */
  errorTotal: number;
  /** errorTotal as a percent of requests. */
  errorRate: number;
  non2xx: number;
  errorSamples: Partial<Record<ErrorKind, string>>;
  warmupRequests: number;
  samples: SecondSample[];
  sentRate?: number;
  thresholds: ThresholdResult[];
  passed: boolean;
  trigger: string;
}

export type NewLoadTestRun = Omit<LoadTestRun, 'id'>;

export async function saveRun(db: SqlRunner, run: NewLoadTestRun, histogram: string): Promise<LoadTestRun> {
  const rows = await db.query<{ id: unknown }>(
    `INSERT INTO loadtest_runs (profile, url, method, model, started_at, finished_at, duration_ms, requests, rps, p50_ms, p90_ms, p95_ms, p99_ms, p999_ms, max_ms, mean_ms,
       errors, non2xx, passed, trigger, thresholds, report, histogram)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    [
      run.profile,
      run.url,
      run.method,
      run.plan.model,
      run.startedAt,
      run.finishedAt,
      run.durationMs,
      run.requests,
      run.rps,
      run.latency.p50,
      run.latency.p90,
      run.latency.p95,
      run.latency.p99,
      run.latency.p999,
      run.latency.max,
      run.latency.mean,
      run.errorTotal,
      run.non2xx,
      run.passed ? 1 : 0,
      run.trigger,
      toJson(run.thresholds),
      toJson(run),
      histogram,
    ],
  );
  return { ...run, id: num(rows[0]!.id) };
}

function toRun(row: Record<string, unknown>): LoadTestRun {
  const report = parseJson<NewLoadTestRun>(row.report)!;
  return { ...report, id: num(row.id), passed: num(row.passed) === 1 };
}

export async function getRun(db: SqlRunner, id: number): Promise<LoadTestRun> {
  const rows = await db.query<Record<string, unknown>>('SELECT id, passed, report FROM loadtest_runs WHERE id = ?', [
    id,
  ]);
  if (!rows[0])
    throw new NotFoundError(`load-test run ${id} does not exist`, {
      hint: 'List the stored runs with `opsctl loadtest history`.',
    });
  return toRun(rows[0]);
}

export async function getHistogram(db: SqlRunner, id: number): Promise<string | null> {
  const rows = await db.query<{ histogram: string }>('SELECT histogram FROM loadtest_runs WHERE id = ?', [id]);
  return rows[0]?.histogram ?? null;
}

export interface HistoryFilter {
  profile?: string | undefined;
  url?: string | undefined;
  limit?: number | undefined;
}

/** Newest first. */
export async function listRuns(db: SqlRunner, filter: HistoryFilter = {}): Promise<LoadTestRun[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.profile) {
    where.push('profile = ?');
    params.push(filter.profile);
  }
  if (filter.url) {
    where.push('url = ?');
    params.push(filter.url);
  }
  params.push(filter.limit ?? 20);
  const rows = await db.query<Record<string, unknown>>(
    `SELECT id, passed, report FROM loadtest_runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
    params,
  );
  return rows.map(toRun);
}

/** The run before `run` against the same profile (or, without one, the same URL): compare's default baseline. */
export async function previousRun(db: SqlRunner, run: LoadTestRun): Promise<LoadTestRun | undefined> {
  const rows = await db.query<Record<string, unknown>>(
    run.profile
      ? 'SELECT id, passed, report FROM loadtest_runs WHERE profile = ? AND id < ? ORDER BY id DESC LIMIT 1'
      : 'SELECT id, passed, report FROM loadtest_runs WHERE profile IS NULL AND url = ? AND id < ? ORDER BY id DESC LIMIT 1',
    [run.profile ?? run.url, run.id],
  );
  return rows[0] ? toRun(rows[0]) : undefined;
}

/** The newest run of each profile, for the validate gate and the pane. */
export async function lastRunByProfile(db: SqlRunner, profile: string): Promise<LoadTestRun | undefined> {
  return (await listRuns(db, { profile, limit: 1 }))[0];
}
