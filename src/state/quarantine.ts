import { num, numOrNull, parseJson, redactText, toJson } from './json.js';
import type { SqlRunner } from './store.js';
import { whereRunPipelineTable } from './where.js';

/** A record that failed validation: kept with its reason and raw payload, never silently dropped. */
export interface QuarantinedRecord {
  id: number;
  runId: number | null;
  pipeline: string;
  table: string;
  reason: string;
  payload: unknown;
  createdAt: string;
}

export async function quarantine(
  db: SqlRunner,
  records: Array<{ runId: number | null; pipeline: string; table: string; reason: string; payload: unknown }>,
): Promise<number> {
  const now = new Date().toISOString();
  for (const r of records) {
    await db.run(
      'INSERT INTO quarantine (run_id, pipeline, table_name, reason, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      [r.runId, r.pipeline, r.table, redactText(r.reason), toJson(r.payload), now],
    );
  }
  return records.length;
}

export async function listQuarantine(
  db: SqlRunner,
  filter: { runId?: number; pipeline?: string; table?: string; limit?: number } = {},
): Promise<QuarantinedRecord[]> {
  const where = whereRunPipelineTable(filter);
  const rows = await db.query<Record<string, unknown>>(
    `SELECT * FROM quarantine ${where.sql} ORDER BY id DESC LIMIT ?`,
    [...where.params, filter.limit ?? 100],
  );
  return rows.map((r) => ({
    id: num(r.id),
    runId: numOrNull(r.run_id),
    pipeline: String(r.pipeline),
    table: String(r.table_name),
    reason: String(r.reason),
    payload: parseJson(r.payload),
    createdAt: String(r.created_at),
  }));
}

/** Records quarantined per pipeline and table since an instant (an index range on created_at). */
export interface QuarantineGrowth {
  pipeline: string;
  table: string;
  count: number;
  firstAt: string;
  lastAt: string;
  /** The newest run that quarantined records here. */
  lastRunId: number | null;
}

export async function quarantineGrowth(db: SqlRunner, since: Date): Promise<QuarantineGrowth[]> {
  const rows = await db.query<Record<string, unknown>>(
    `SELECT pipeline, table_name, COUNT(*) AS n, MIN(created_at) AS first_at, MAX(created_at) AS last_at, MAX(run_id) AS last_run
     FROM quarantine WHERE created_at >= ? GROUP BY pipeline, table_name ORDER BY pipeline, table_name`,
    [since.toISOString()],
  );
  return rows.map((r) => ({
    pipeline: String(r.pipeline),
    table: String(r.table_name),
    count: num(r.n),
    firstAt: String(r.first_at),
    lastAt: String(r.last_at),
    lastRunId: numOrNull(r.last_run),
  }));
}
