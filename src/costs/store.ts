import type { SqlRunner } from '../state/store.js';
import { parseJson, toJson } from '../state/json.js';
import type { CostReport, LevelState } from './report.js';
import type { DailyUsage, QueryJob, UsageBreakdown } from './usage.js';

export interface CostSnapshot {
  warehouse: string;
  day: string;
  takenAt: string;
  storageBytes: number;
  bytesBilledDay: number;
  bytesBilledMtd: number;
  mtdUsd: number;
  projectedUsd: number;
  budgetPercent: number;
}

/** Today's snapshot of a report; a later report the same day replaces it. */
export async function saveSnapshot(db: SqlRunner, report: CostReport): Promise<CostSnapshot> {
  const day = report.generatedAt.slice(0, 10);
  const snapshot: CostSnapshot = {
    warehouse: report.warehouse,
    day,
    takenAt: report.generatedAt,
    storageBytes: report.storage.activeBytes + report.storage.longTermBytes,
    bytesBilledDay: report.daily.find((d) => d.day === day)?.bytesBilled ?? 0,
    bytesBilledMtd: report.monthToDate.bytesBilled,
    mtdUsd: report.monthToDate.totalUsd,
    projectedUsd: report.projection.totalUsd,
    budgetPercent: report.budget.percent,
  };
  await db.run('DELETE FROM costs_snapshots WHERE warehouse = ? AND day = ?', [snapshot.warehouse, day]);
  const levels: StoredLevels = { budgetUsd: report.budget.usd, levels: report.levels };
  await db.run(
    `INSERT INTO costs_snapshots (warehouse, day, taken_at, storage_bytes, bytes_billed_day, bytes_billed_mtd, mtd_usd, projected_usd, budget_percent, levels)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      snapshot.warehouse,
      day,
      snapshot.takenAt,
      snapshot.storageBytes,
      snapshot.bytesBilledDay,
      snapshot.bytesBilledMtd,
      snapshot.mtdUsd,
      snapshot.projectedUsd,
      snapshot.budgetPercent,
      toJson(levels),
    ],
  );
  return snapshot;
}

/** The `levels` column: the report's levels as they stood, and the budget they were measured against. */
interface StoredLevels {
  budgetUsd: number;
  levels: LevelState[];
}

/** A day's snapshot as the triage board reads it: the levels (crossed or not) and the money behind them. */
export interface SnapshotLevels {
  day: string;
  takenAt: string;
  mtdUsd: number;
  projectedUsd: number;
  budgetUsd: number;
  levels: LevelState[];
}

/**
 * The snapshots since a day that carry their levels, oldest first (a primary-key range: one row a day at most). What
 * `opsctl status` reads instead of running `costs.check`, which opens the warehouse.
 */
export async function snapshotLevels(db: SqlRunner, warehouse: string, sinceDay: string): Promise<SnapshotLevels[]> {
  const rows = await db.query<Record<string, unknown>>(
    'SELECT day, taken_at, mtd_usd, projected_usd, levels FROM costs_snapshots WHERE warehouse = ? AND day >= ? ORDER BY day',
    [warehouse, sinceDay],
  );
  return rows.flatMap((r) => {
    const stored = parseJson<StoredLevels>(r.levels);
    if (!stored) return []; // taken before levels were stored
    return [
      {
        day: String(r.day),
        takenAt: String(r.taken_at),
        mtdUsd: Number(r.mtd_usd),
        projectedUsd: Number(r.projected_usd),
        budgetUsd: stored.budgetUsd,
        levels: stored.levels,
      },
    ];
  });
}

/** When the newest snapshot of a warehouse was taken (null: never). */
export async function newestSnapshotAt(db: SqlRunner, warehouse: string): Promise<string | null> {
  const [row] = await db.query<{ taken_at: string | null }>(
    'SELECT taken_at FROM costs_snapshots WHERE warehouse = ? ORDER BY day DESC LIMIT 1',
    [warehouse],
  );
  return row?.taken_at ?? null;
}

export async function listSnapshots(db: SqlRunner, warehouse: string, sinceDay: string): Promise<CostSnapshot[]> {
  const rows = await db.query<Record<string, unknown>>(
    'SELECT * FROM costs_snapshots WHERE warehouse = ? AND day >= ? ORDER BY day',
    [warehouse, sinceDay],
  );
  return rows.map((r) => ({
    warehouse: String(r.warehouse),
    day: String(r.day),
    takenAt: String(r.taken_at),
    storageBytes: Number(r.storage_bytes),
    bytesBilledDay: Number(r.bytes_billed_day),
    bytesBilledMtd: Number(r.bytes_billed_mtd),
    mtdUsd: Number(r.mtd_usd),
    projectedUsd: Number(r.projected_usd),
    budgetPercent: Number(r.budget_percent),
  }));
}

export interface WarehouseJob {
  warehouse: string;
  operation: string;
  pipeline?: string | null;
  bytesScanned: number;
  rowsRead: number;
  query: string;
  createdAt?: string;
}

export async function recordWarehouseJob(db: SqlRunner, job: WarehouseJob): Promise<void> {
  await db.run(
    'INSERT INTO costs_jobs (warehouse, created_at, operation, pipeline, bytes_scanned, rows_read, query) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [
      job.warehouse,
      job.createdAt ?? new Date().toISOString(),
      job.operation,
      job.pipeline ?? null,
      Math.round(job.bytesScanned),
      job.rowsRead,
      job.query.slice(0, 2000),
    ],
  );
}

/** opsctl's metered jobs since a day, in the same shape as BigQuery's JOBS_BY_PROJECT aggregates. */
export async function meteredUsage(db: SqlRunner, warehouse: string, since: string, shownSince: string) {
  const jobs = (
    await db.query<Record<string, unknown>>(
      'SELECT * FROM costs_jobs WHERE warehouse = ? AND created_at >= ? ORDER BY created_at',
      [warehouse, since],
    )
  ).map((r) => ({
    id: Number(r.id),
    createdAt: String(r.created_at),
    operation: String(r.operation),
    pipeline: r.pipeline === null ? null : String(r.pipeline),
    bytes: Number(r.bytes_scanned),
    query: String(r.query),
  }));
  const days = new Map<string, DailyUsage>();
  for (const j of jobs) {
    const day = j.createdAt.slice(0, 10);
    const d = days.get(day) ?? { day, bytesBilled: 0, bytesProcessed: 0, jobs: 0, cacheHits: 0 };
    d.bytesBilled += j.bytes;
    d.bytesProcessed += j.bytes;
    d.jobs += 1;
    days.set(day, d);
  }
  const shown = jobs.filter((j) => j.createdAt >= shownSince);
  const group = (key: (j: (typeof jobs)[number]) => string): UsageBreakdown[] => {
    const m = new Map<string, UsageBreakdown>();
    for (const j of shown) {
      const k = key(j);
      const b = m.get(k) ?? { key: k, bytesBilled: 0, jobs: 0 };
      b.bytesBilled += j.bytes;
      b.jobs += 1;
      m.set(k, b);
    }
    return [...m.values()].sort((a, b) => b.bytesBilled - a.bytesBilled);
  };
  const top: QueryJob[] = [...shown]
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 10)
    .map((j) => ({
      jobId: `opsctl-${j.id}`,
      user: 'opsctl',
      createdAt: j.createdAt,
      bytesBilled: j.bytes,
      query: j.query,
      labels: { app: 'opsctl', ...(j.pipeline ? { pipeline: j.pipeline } : {}) },
    }));
  return {
    daily: [...days.values()],
    byUser: group(() => 'opsctl'),
    byLabel: group((j) => `pipeline=${j.pipeline ?? j.operation}`),
    opsctlBytesBilled: shown.reduce((s, j) => s + j.bytes, 0),
    top,
  };
}
