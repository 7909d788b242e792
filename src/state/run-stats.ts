import type { SqlRunner } from './store.js';

/**
 * Reads that faces make over and over (the bot's /metrics at every scrape, its alert checks): each costs the same at a
 * thousand runs and at a million. They read counters the state store keeps on write (run_counts, execution_latest;
 * see schema/counters.ts) and one indexed lookup per operation and pipeline, never a whole table.
 */

/** Runs recorded, by operation and status (stored statuses: an orphan is still `running` here). */
export async function runCountsByStatus(
  db: SqlRunner,
): Promise<Array<{ operation: string; status: string; n: number }>> {
  const rows = await db.query<{ operation: string; status: string; n: number | string }>(
    'SELECT operation, status, SUM(n) AS n FROM run_counts GROUP BY operation, status HAVING SUM(n) > 0',
  );
  return rows.map((r) => ({ operation: r.operation, status: r.status, n: Number(r.n) }));
}

/**
 * The newest finished run (succeeded or failed) of each operation and pipeline, with the columns asked for (prefix
 * them with `r.`): run_latest names it, so this is one statement of primary-key lookups.
 */
export async function latestFinishedRuns<T>(db: SqlRunner, columns: string): Promise<T[]> {
  return db.query<T>(
    // CROSS JOIN keeps SQLite from driving the join from runs' status index (a scan of every finished run).
    `SELECT ${columns} FROM run_latest l CROSS JOIN runs r
     WHERE r.id = l.last_id AND r.status IN ('succeeded', 'failed') ORDER BY l.operation, l.pipeline`,
  );
}

/** The newest execution-log row of each pipeline table, with the columns asked for (prefix them with `e.`). */
export async function latestExecutions<T>(db: SqlRunner, columns: string): Promise<T[]> {
  return db.query<T>(
    `SELECT ${columns} FROM execution_latest l CROSS JOIN execution_log e WHERE e.id = l.last_id ORDER BY l.pipeline, l.table_name`,
  );
}
