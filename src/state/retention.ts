import type { SqlRunner, StateStore } from './store.js';

/** Days of history kept per kind (null: forever): the config's `state.retention`. */
export interface StateRetentionPolicy {
  runs: number | null;
  executionLog: number | null;
  quarantine: number | null;
  loadtestSamples: number | null;
  meteredJobs: number | null;
}

export type RetentionKind = keyof StateRetentionPolicy;

export interface PruneCount {
  kind: RetentionKind;
  table: string;
  /** Rows older than this (ISO) go; null when the kind is kept forever. */
  cutoff: string | null;
  /** Rows deleted, or on a dry run the rows that would be. */
  rows: number;
}

export interface PruneResult {
  dryRun: boolean;
  counts: PruneCount[];
  /** Runs kept although older than the cutoff: still running, or the last run of their operation and pipeline. */
  protectedRuns: number;
}

interface Rule {
  kind: RetentionKind;
  table: string;
  /** The instant a row is aged by (indexed where the table is large). */
  column: string;
}

/** The tables that grow with every run, and the instant each row is aged by. */
const RULES: Rule[] = [
  { kind: 'runs', table: 'runs', column: 'started_at' },
  { kind: 'executionLog', table: 'execution_log', column: 'started_at' },
  { kind: 'quarantine', table: 'quarantine', column: 'created_at' },
  { kind: 'loadtestSamples', table: 'loadtest_runs', column: 'started_at' },
  { kind: 'meteredJobs', table: 'costs_jobs', column: 'created_at' },
];

/** Rows deleted per statement: each batch is its own short transaction, so the bot and the console are not held. */
const BATCH = 5_000;

/**
 * Deletes what the policy no longer keeps, oldest first, in short batches. A run that is still running and the last
 * run of each (operation, pipeline) always stay, with their execution log; the execution log of a deleted run goes
 * with it. A kind with nothing older than its cutoff costs one indexed read of its oldest row.
 */
export async function pruneState(
  store: StateStore,
  policy: StateRetentionPolicy,
  options: { dryRun?: boolean; now?: Date } = {},
): Promise<PruneResult> {
  const now = options.now ?? new Date();
  const dryRun = options.dryRun === true;
  const counts: PruneCount[] = [];
  let kept: number[] | undefined;
  let protectedRuns = 0;
  let doomedRuns: { where: string; params: unknown[] } | undefined;
  let logWithRuns = 0;
  for (const rule of RULES) {
    const days = policy[rule.kind];
    const cutoff = days === null ? null : new Date(now.getTime() - days * 86_400_000).toISOString();
    const count: PruneCount = { kind: rule.kind, table: rule.table, cutoff, rows: 0 };
    counts.push(count);
    if (cutoff === null || !(await hasOlder(store, rule, cutoff))) continue;
    const guard = rule.kind === 'runs' ? 'id' : rule.kind === 'executionLog' ? 'run_id' : undefined;
    if (guard && !kept) {
      kept = await protectedRunIds(store);
      protectedRuns = (
        await store.query<{ n: number }>(
          `SELECT count(*) AS n FROM runs WHERE started_at < ? AND ${inList('id', kept.length)}`,
          [cutoff, ...kept],
        )
      )[0]!.n;
    }
    const where = `${rule.column} < ?${guard ? ` AND (${guard} IS NULL OR NOT ${inList(guard, kept!.length)})` : ''}`;
    const params = [cutoff, ...(guard ? kept! : [])];
    if (rule.kind === 'runs') doomedRuns = { where, params };
    if (dryRun) {
      // The execution log of a run that goes goes with it: counted once, under executionLog.
      const alsoRuns =
        rule.kind === 'executionLog' && doomedRuns
          ? ` OR run_id IN (SELECT id FROM runs WHERE ${doomedRuns.where})`
          : '';
      const all = [...params, ...(alsoRuns ? doomedRuns!.params : [])];
      const [row] = await store.query<{ n: number }>(
        `SELECT count(*) AS n FROM ${rule.table} WHERE ${where}${alsoRuns}`,
        all,
      );
      count.rows = Number(row?.n ?? 0);
      continue;
    }
    for (;;) {
      const deleted = await store.transaction((tx) => deleteBatch(tx, rule, where, params));
      count.rows += deleted.rows;
      logWithRuns += deleted.log;
      if (deleted.rows < BATCH) break;
    }
  }
  const logCount = counts.find((c) => c.kind === 'executionLog')!;
  logCount.rows += logWithRuns;
  return { dryRun, counts, protectedRuns };
}

async function hasOlder(store: SqlRunner, rule: Rule, cutoff: string): Promise<boolean> {
  const rows = await store.query<{ oldest: string | null }>(`SELECT min(${rule.column}) AS oldest FROM ${rule.table}`);
  const oldest = rows[0]?.oldest;
  return oldest !== null && oldest !== undefined && new Date(oldest).toISOString() < cutoff;
}

/** Runs still running, and the newest run of each (operation, pipeline): never pruned. */
async function protectedRunIds(store: SqlRunner): Promise<number[]> {
  const rows = await store.query<{ id: number }>(
    `SELECT max(id) AS id FROM runs GROUP BY operation, pipeline
     UNION SELECT id FROM runs WHERE status = 'running'`,
  );
  return rows.map((r) => Number(r.id));
}

async function deleteBatch(
  tx: SqlRunner,
  rule: Rule,
  where: string,
  params: unknown[],
): Promise<{ rows: number; log: number }> {
  const ids = (
    await tx.query<{ id: number }>(
      `SELECT id FROM ${rule.table} WHERE ${where} ORDER BY ${rule.column} LIMIT ${BATCH}`,
      params,
    )
  ).map((r) => Number(r.id));
  if (ids.length === 0) return { rows: 0, log: 0 };
  const log =
    rule.kind === 'runs' ? await tx.run(`DELETE FROM execution_log WHERE ${inList('run_id', ids.length)}`, ids) : 0;
  await tx.run(`DELETE FROM ${rule.table} WHERE ${inList('id', ids.length)}`, ids);
  return { rows: ids.length, log };
}

/** `column IN (?, ?, …)`, or a condition that is false for an empty list. */
function inList(column: string, n: number): string {
  return n === 0 ? '1 = 0' : `${column} IN (${Array.from({ length: n }, () => '?').join(', ')})`;
}

export interface TableStats {
  table: string;
  rows: number;
  /** On-disk size of the table and its indexes (SQLite: dbstat; PostgreSQL: pg_total_relation_size). */
  bytes: number | null;
  /** The oldest row's instant (ISO), where the table has one. */
  oldest: string | null;
  /** The retention kind that prunes it, and its days (null: kept forever). */
  retention?: { kind: RetentionKind; days: number | null };
}

/** Rows, bytes and the oldest row of each table that grows with use. */
export async function stateStats(store: StateStore, policy: StateRetentionPolicy): Promise<TableStats[]> {
  const sizes = await tableSizes(store);
  const out: TableStats[] = [];
  for (const rule of RULES) {
    const [row] = await store.query<{ n: number; oldest: string | null }>(
      `SELECT count(*) AS n, min(${rule.column}) AS oldest FROM ${rule.table}`,
    );
    out.push({
      table: rule.table,
      rows: Number(row?.n ?? 0),
      bytes: sizes.get(rule.table) ?? null,
      oldest: row?.oldest ? new Date(row.oldest).toISOString() : null,
      retention: { kind: rule.kind, days: policy[rule.kind] },
    });
  }
  return out;
}

async function tableSizes(store: StateStore): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  try {
    if (store.kind === 'sqlite') {
      // dbstat names indexes separately: each index is charged to its table.
      const rows = await store.query<{ tbl: string; bytes: number }>(
        `SELECT m.tbl_name AS tbl, sum(s.pgsize) AS bytes FROM dbstat s JOIN sqlite_schema m ON m.name = s.name GROUP BY m.tbl_name`,
      );
      for (const r of rows) sizes.set(r.tbl, Number(r.bytes));
    } else {
      const rows = await store.query<{ tbl: string; bytes: string }>(
        `SELECT c.relname AS tbl, pg_total_relation_size(c.oid) AS bytes FROM pg_class c
         WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace`,
      );
      for (const r of rows) sizes.set(r.tbl, Number(r.bytes));
    }
  } catch {
    // A SQLite built without dbstat, or a role that may not read sizes: rows and ages still answer.
  }
  return sizes;
}
