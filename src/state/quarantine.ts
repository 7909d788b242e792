import { num, numOrNull, parseJson, redactText, toJson } from './json.js';
import type { SqlRunner, StateStore } from './store.js';
import { whereRunPipelineTable, type Where } from './where.js';

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

/** Which quarantined records: one run, pipeline or table, a reason containing a text, quarantined before an instant. */
export interface QuarantineFilter {
  runId?: number | undefined;
  pipeline?: string | undefined;
  table?: string | undefined;
  /** A case-insensitive substring of the reason. */
  reason?: string | undefined;
  /** Only records quarantined before this instant (ISO-8601). */
  createdBefore?: string | undefined;
}

function whereQuarantine(filter: QuarantineFilter): Where {
  const where = whereRunPipelineTable(filter);
  // LOWER on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not; the escape keeps % and _ literal.
  if (filter.reason)
    where.add(`LOWER(reason) LIKE ? ESCAPE '\\'`, `%${filter.reason.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`);
  if (filter.createdBefore) where.add('created_at < ?', filter.createdBefore);
  return where;
}

function toRecord(r: Record<string, unknown>): QuarantinedRecord {
  return {
    id: num(r.id),
    runId: numOrNull(r.run_id),
    pipeline: String(r.pipeline),
    table: String(r.table_name),
    reason: String(r.reason),
    payload: parseJson(r.payload),
    createdAt: String(r.created_at),
  };
}

/** Newest first; `beforeId` pages on (the id of the last record of the previous page). */
export async function listQuarantine(
  db: SqlRunner,
  filter: QuarantineFilter & { beforeId?: number | undefined; limit?: number } = {},
): Promise<QuarantinedRecord[]> {
  const where = whereQuarantine(filter);
  if (filter.beforeId !== undefined) where.add('id < ?', filter.beforeId);
  const rows = await db.query<Record<string, unknown>>(
    `SELECT * FROM quarantine ${where.sql} ORDER BY id DESC LIMIT ?`,
    [...where.params, filter.limit ?? 100],
  );
  return rows.map(toRecord);
}

/** How many records match, per pipeline and table (what a purge would remove, what a list pages through). */
export async function countQuarantine(
  db: SqlRunner,
  filter: QuarantineFilter & { maxId?: number } = {},
): Promise<Array<{ pipeline: string; table: string; count: number }>> {
  const where = whereQuarantine(filter);
  if (filter.maxId !== undefined) where.add('id <= ?', filter.maxId);
  const rows = await db.query<Record<string, unknown>>(
    `SELECT pipeline, table_name, COUNT(*) AS n FROM quarantine ${where.sql}
     GROUP BY pipeline, table_name ORDER BY pipeline, table_name`,
    where.params,
  );
  return rows.map((r) => ({ pipeline: String(r.pipeline), table: String(r.table_name), count: num(r.n) }));
}

export async function getQuarantined(db: SqlRunner, id: number): Promise<QuarantinedRecord | null> {
  const [row] = await db.query<Record<string, unknown>>('SELECT * FROM quarantine WHERE id = ?', [id]);
  return row ? toRecord(row) : null;
}

/** The newest record's id: a purge deletes up to it, so records quarantined while it runs are not removed unseen. */
export async function newestQuarantineId(db: SqlRunner): Promise<number | null> {
  const [row] = await db.query<{ id: unknown }>('SELECT MAX(id) AS id FROM quarantine');
  return numOrNull(row?.id);
}

/** Rows deleted per statement: each batch is its own short transaction, so the bot and running pipelines are not held. */
const PURGE_BATCH = 5_000;

/** Deletes the matching records up to `maxId`, in batches; returns how many went. */
export async function purgeQuarantine(
  store: StateStore,
  filter: QuarantineFilter & { maxId: number },
  onBatch?: (deleted: number) => void,
): Promise<number> {
  const where = whereQuarantine(filter).add('id <= ?', filter.maxId);
  let deleted = 0;
  for (;;) {
    const n = await store.transaction((tx) =>
      tx.run(
        `DELETE FROM quarantine WHERE id IN (SELECT id FROM quarantine ${where.sql} ORDER BY id LIMIT ${PURGE_BATCH})`,
        where.params,
      ),
    );
    deleted += n;
    onBatch?.(deleted);
    if (n < PURGE_BATCH) return deleted;
  }
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
  // Without statistics SQLite prefers (pipeline, table_name, created_at) to save the GROUP BY's sort, and scans the whole
  // index (78 ms at 100,000 rows against 0.2 ms for the day's range): the window must be the created_at range.
  const from = db.dialect.name === 'sqlite' ? 'quarantine INDEXED BY quarantine_created_idx' : 'quarantine';
  const rows = await db.query<Record<string, unknown>>(
    `SELECT pipeline, table_name, COUNT(*) AS n, MIN(created_at) AS first_at, MAX(created_at) AS last_at, MAX(run_id) AS last_run
     FROM ${from} WHERE created_at >= ? GROUP BY pipeline, table_name ORDER BY pipeline, table_name`,
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
