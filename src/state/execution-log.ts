import { num, numOrNull, parseJson, redactText, toJson } from './json.js';
import type { SqlRunner } from './store.js';
import { whereRunPipelineTable } from './where.js';

/** One table's share of a run: what was extracted, loaded and rejected, and how the watermark moved. */
export interface ExecutionEntry {
  id: number;
  runId: number | null;
  pipeline: string;
  table: string;
  status: string;
  rowsExtracted: number;
  rowsLoaded: number;
  rowsRejected: number;
  watermarkBefore: string | null;
  watermarkAfter: string | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  error: string | null;
  details: unknown;
}

export type NewExecutionEntry = Omit<
  ExecutionEntry,
  | 'id'
  | 'durationMs'
  | 'rowsExtracted'
  | 'rowsLoaded'
  | 'rowsRejected'
  | 'watermarkBefore'
  | 'watermarkAfter'
  | 'finishedAt'
  | 'error'
  | 'details'
> &
  Partial<
    Pick<
      ExecutionEntry,
      | 'rowsExtracted'
      | 'rowsLoaded'
      | 'rowsRejected'
      | 'watermarkBefore'
      | 'watermarkAfter'
      | 'finishedAt'
      | 'error'
      | 'details'
    >
  >;

interface Row {
  id: number;
  run_id: number | null;
  pipeline: string;
  table_name: string;
  status: string;
  rows_extracted: number;
  rows_loaded: number;
  rows_rejected: number;
  watermark_before: string | null;
  watermark_after: string | null;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  error: string | null;
  details: unknown;
}

const toEntry = (r: Row): ExecutionEntry => ({
  id: num(r.id),
  runId: numOrNull(r.run_id),
  pipeline: r.pipeline,
  table: r.table_name,
  status: r.status,
  rowsExtracted: num(r.rows_extracted),
  rowsLoaded: num(r.rows_loaded),
  rowsRejected: num(r.rows_rejected),
  watermarkBefore: r.watermark_before,
  watermarkAfter: r.watermark_after,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  durationMs: numOrNull(r.duration_ms),
  error: r.error,
  details: parseJson(r.details),
});

export async function logExecution(db: SqlRunner, e: NewExecutionEntry): Promise<ExecutionEntry> {
  const duration = e.finishedAt ? new Date(e.finishedAt).getTime() - new Date(e.startedAt).getTime() : null;
  const rows = await db.query<Row>(
    `INSERT INTO execution_log (run_id, pipeline, table_name, status, rows_extracted, rows_loaded, rows_rejected,
       watermark_before, watermark_after, started_at, finished_at, duration_ms, error, details)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    [
      e.runId,
      e.pipeline,
      e.table,
      e.status,
      e.rowsExtracted ?? 0,
      e.rowsLoaded ?? 0,
      e.rowsRejected ?? 0,
      e.watermarkBefore ?? null,
      e.watermarkAfter ?? null,
      e.startedAt,
      e.finishedAt ?? null,
      duration,
      redactText(e.error),
      toJson(e.details),
    ],
  );
  return toEntry(rows[0]!);
}

export async function listExecutions(
  db: SqlRunner,
  filter: { runId?: number; pipeline?: string; table?: string; limit?: number } = {},
): Promise<ExecutionEntry[]> {
  const where = whereRunPipelineTable(filter);
  const rows = await db.query<Row>(`SELECT * FROM execution_log ${where.sql} ORDER BY id DESC LIMIT ?`, [
    ...where.params,
    filter.limit ?? 100,
  ]);
  return rows.map(toEntry);
}
