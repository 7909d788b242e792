import type { Engine } from '../db/target.js';
import type { MigrationSession } from './session.js';
import { HISTORY_TABLE, type HistoryRow, type HistoryStatus } from './types.js';

type Query = Pick<MigrationSession, 'query' | 'historyTable' | 'schema'> & { engine: Engine };

function ddl(engine: Engine, table: string): string {
  const ts = engine === 'mysql' ? 'VARCHAR(32)' : 'TIMESTAMPTZ';
  return `CREATE TABLE IF NOT EXISTS ${table} (
  version VARCHAR(64) NOT NULL PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  checksum CHAR(64) NOT NULL,
  applied_at ${ts} NOT NULL,
  duration_ms INTEGER NOT NULL DEFAULT 0,
  applied_by VARCHAR(255) NOT NULL,
  status VARCHAR(16) NOT NULL,
  operation VARCHAR(8) NOT NULL DEFAULT 'up',
  statements_total INTEGER NOT NULL DEFAULT 0,
  statements_done INTEGER NOT NULL DEFAULT 0,
  error TEXT NULL
)`;
}

export async function ensureHistory(s: Query): Promise<void> {
  await s.query(ddl(s.engine, s.historyTable));
}

export async function historyExists(s: Query): Promise<boolean> {
  const sql =
    s.engine === 'mysql'
      ? 'SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?'
      : 'SELECT COUNT(*) AS n FROM pg_catalog.pg_tables WHERE schemaname = COALESCE(?, current_schema()) AND tablename = ?';
  const rows = await s.query<{ n: number | string }>(sql, [s.schema, HISTORY_TABLE]);
  return Number(rows[0]?.n ?? 0) > 0;
}

/**
 * Every row, or [] when the table does not exist yet (reading never creates it: status and dry-run change nothing).
 * One round trip: the SELECT itself tells whether the table exists.
 */
export async function readHistory(s: Query): Promise<{ exists: boolean; rows: HistoryRow[] }> {
  let rows: Array<Record<string, unknown>>;
  try {
    rows = await s.query<Record<string, unknown>>(
      `SELECT version, name, checksum, applied_at, duration_ms, applied_by, status, operation, statements_total, statements_done, error FROM ${s.historyTable}`,
    );
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '42P01' || code === 'ER_NO_SUCH_TABLE') return { exists: false, rows: [] };
    throw error;
  }
  return {
    exists: true,
    rows: rows.map((r) => ({
      version: String(r.version),
      name: String(r.name),
      checksum: String(r.checksum).trim(),
      appliedAt: isoOf(r.applied_at),
      durationMs: Number(r.duration_ms),
      appliedBy: String(r.applied_by),
      status: String(r.status) as HistoryStatus,
      operation: String(r.operation) === 'down' ? 'down' : 'up',
      statementsTotal: Number(r.statements_total),
      statementsDone: Number(r.statements_done),
      error: r.error === null || r.error === undefined ? null : String(r.error),
    })),
  };
}

function isoOf(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  const s = String(v);
  const d = new Date(/[zZ]|[+-]\d\d(:?\d\d)?$/.test(s) ? s : `${s.replace(' ', 'T')}Z`);
  return Number.isNaN(d.getTime()) ? s : d.toISOString();
}

export interface HistoryWrite {
  version: string;
  name: string;
  checksum: string;
  status: HistoryStatus;
  operation: 'up' | 'down';
  statementsTotal: number;
  statementsDone: number;
  durationMs: number;
  appliedBy: string;
  error?: string | null;
}

export async function insertHistory(s: Query, w: HistoryWrite): Promise<void> {
  await s.query(
    `INSERT INTO ${s.historyTable} (version, name, checksum, applied_at, duration_ms, applied_by, status, operation, statements_total, statements_done, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      w.version,
      w.name,
      w.checksum,
      new Date().toISOString(),
      Math.round(w.durationMs),
      w.appliedBy.slice(0, 255),
      w.status,
      w.operation,
      w.statementsTotal,
      w.statementsDone,
      w.error ?? null,
    ],
  );
}

export async function updateHistory(
  s: Query,
  version: string,
  fields: Partial<
    Pick<
      HistoryWrite,
      'status' | 'operation' | 'statementsDone' | 'statementsTotal' | 'durationMs' | 'error' | 'checksum'
    >
  >,
): Promise<void> {
  const cols: Record<string, string> = {
    status: 'status',
    operation: 'operation',
    statementsDone: 'statements_done',
    statementsTotal: 'statements_total',
    durationMs: 'duration_ms',
    error: 'error',
    checksum: 'checksum',
  };
  const entries = Object.entries(fields).filter(([, v]) => v !== undefined);
  if (!entries.length) return;
  await s.query(`UPDATE ${s.historyTable} SET ${entries.map(([k]) => `${cols[k]} = ?`).join(', ')} WHERE version = ?`, [
    ...entries.map(([k, v]) => (k === 'durationMs' ? Math.round(v as number) : v)),
    version,
  ]);
}

export async function deleteHistory(s: Query, version: string): Promise<void> {
  await s.query(`DELETE FROM ${s.historyTable} WHERE version = ?`, [version]);
}
