import { numOrNull } from './json.js';
import type { SqlRunner } from './store.js';

export type WatermarkType = 'timestamp' | 'date' | 'number' | 'text';

export interface Watermark {
  pipeline: string;
  table: string;
  value: string | null;
  type: WatermarkType;
  updatedAt: string;
  runId: number | null;
}

interface Row {
  pipeline: string;
  table_name: string;
  value: string | null;
  value_type: WatermarkType;
  updated_at: string;
  run_id: number | null;
}

const toWatermark = (r: Row): Watermark => ({
  pipeline: r.pipeline,
  table: r.table_name,
  value: r.value,
  type: r.value_type,
  updatedAt: r.updated_at,
  runId: numOrNull(r.run_id),
});

export async function getWatermark(db: SqlRunner, pipeline: string, table: string): Promise<Watermark | undefined> {
  const rows = await db.query<Row>('SELECT * FROM watermarks WHERE pipeline = ? AND table_name = ?', [pipeline, table]);
  return rows[0] ? toWatermark(rows[0]) : undefined;
}

export async function listWatermarks(db: SqlRunner, pipeline?: string): Promise<Watermark[]> {
  const rows = pipeline
    ? await db.query<Row>('SELECT * FROM watermarks WHERE pipeline = ? ORDER BY table_name', [pipeline])
    : await db.query<Row>('SELECT * FROM watermarks ORDER BY pipeline, table_name');
  return rows.map(toWatermark);
}

/**
 * Sets the watermark. Callers advance it only after the rows up to `value` are committed in the target, so a crash
 * between the two leaves the old watermark and the next run reloads (upserts make that harmless).
 */
export async function setWatermark(
  db: SqlRunner,
  input: { pipeline: string; table: string; value: string | null; type?: WatermarkType; runId?: number | null },
): Promise<Watermark> {
  const now = new Date().toISOString();
  await db.run(
    `INSERT INTO watermarks (pipeline, table_name, value, value_type, updated_at, run_id) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (pipeline, table_name) DO UPDATE SET value = excluded.value, value_type = excluded.value_type,
       updated_at = excluded.updated_at, run_id = excluded.run_id`,
    [input.pipeline, input.table, input.value, input.type ?? 'text', now, input.runId ?? null],
  );
  return (await getWatermark(db, input.pipeline, input.table))!;
}

export async function deleteWatermark(db: SqlRunner, pipeline: string, table: string): Promise<boolean> {
  return (await db.run('DELETE FROM watermarks WHERE pipeline = ? AND table_name = ?', [pipeline, table])) > 0;
}
