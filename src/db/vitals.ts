import { qualifiedName, quoteMysql, quotePg } from './identifiers.js';
import { redactSqlLiterals } from './redact-literals.js';
import type { SqlTarget } from './target.js';

/** Connections in use against the server's limit, and who holds them. */
export interface Connections {
  inUse: number;
  max: number;
  /** Percent of max. */
  percent: number;
  byUser: Array<{ user: string; application: string; count: number }>;
}

/** A statement running now (not idle), its age and its text with the literals redacted. */
export interface RunningQuery {
  id: number;
  user: string;
  application: string;
  state: string;
  ageMs: number;
  /** What it waits for (a lock), when it waits. */
  waiting?: string;
  query: string;
}

/** A session waiting for a lock another session holds. */
export interface LockWait {
  waitingId: number;
  waitingQuery: string;
  blockingId: number;
  blockingQuery: string;
  waitMs?: number;
}

export interface TopReport {
  connections: Connections;
  queries: RunningQuery[];
  locks: LockWait[];
  /** Null when the server is not a replica. */
  replicationLagMs: number | null;
  notes: string[];
}

export interface SlowStatement {
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
}

export interface SlowReport {
  /** Where the figures come from: pg_stat_statements, performance_schema digests, mysql.slow_log; null: nowhere. */
  source: string | null;
  statements: SlowStatement[];
  /** How to turn a source on, when none is. */
  howToEnable?: string;
}

export interface IndexesReport {
  unused: Array<{ table: string; index: string; sizeBytes: number | null }>;
  tables: Array<{ table: string; rows: number | null; sizeBytes: number | null }>;
  notes: string[];
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const dialectOf = (db: SqlTarget) => (db.engine === 'mysql' ? 'mysql' : 'postgres');
const redact = (db: SqlTarget, sql: unknown) => redactSqlLiterals(str(sql), dialectOf(db));

/** One MySQL/MariaDB lock wait, read from information_schema or from sys (both are aliased to the same columns). */
const mysqlLockWait = (db: SqlTarget, l: Record<string, unknown>): LockWait => ({
  waitingId: num(l.waiting_id),
  waitingQuery: redact(db, l.waiting_query),
  blockingId: num(l.blocking_id),
  // A blocker between statements has no current query: say it holds the lock in an open transaction.
  blockingQuery: l.blocking_query ? redact(db, l.blocking_query) : '(idle in transaction)',
  waitMs: Math.round(num(l.wait_ms)),
});

const PGLITE_NOTE =
  'PGlite is embedded: one connection inside this process, so no other sessions, running queries or lock waits to show, and no pg_stat_statements.';

/** Connections, running queries (oldest first), lock waits and replication lag. */
export async function readTop(db: SqlTarget): Promise<TopReport> {
  if (db.engine === 'mysql') return mysqlTop(db);
  const notes = db.engine === 'pglite' ? [PGLITE_NOTE] : [];
  const queries = await db.query<Record<string, unknown>>(
    `SELECT pid, coalesce(usename, '') AS "user", coalesce(application_name, '') AS application, state,
            extract(epoch FROM (clock_timestamp() - query_start)) * 1000 AS age_ms,
            CASE WHEN wait_event_type = 'Lock' THEN wait_event_type || ':' || wait_event END AS waiting, query
     FROM pg_stat_activity
     WHERE backend_type = 'client backend' AND state IS DISTINCT FROM 'idle' AND pid <> pg_backend_pid()
     ORDER BY query_start NULLS LAST`,
  );
  const locks = await db.query<Record<string, unknown>>(
    `SELECT w.pid AS waiting_id, w.query AS waiting_query, b.pid AS blocking_id, b.query AS blocking_query,
            extract(epoch FROM (clock_timestamp() - w.state_change)) * 1000 AS wait_ms
     FROM pg_stat_activity w CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS blocker(pid)
     JOIN pg_stat_activity b ON b.pid = blocker.pid ORDER BY w.pid, b.pid`,
  );
  const [replica] = await db.query<{ recovering: boolean; lag_ms: string | null }>(
    `SELECT pg_is_in_recovery() AS recovering,
            extract(epoch FROM (now() - pg_last_xact_replay_timestamp())) * 1000 AS lag_ms`,
  );
  return {
    connections: await readConnections(db),
    queries: queries.map((q) => ({
      id: num(q.pid),
      user: str(q.user),
      application: str(q.application),
      state: str(q.state),
      ageMs: Math.round(num(q.age_ms)),
      ...(q.waiting ? { waiting: str(q.waiting) } : {}),
      query: redact(db, q.query),
    })),
    locks: locks.map((l) => ({
      waitingId: num(l.waiting_id),
      waitingQuery: redact(db, l.waiting_query),
      blockingId: num(l.blocking_id),
      blockingQuery: redact(db, l.blocking_query),
      waitMs: Math.round(num(l.wait_ms)),
    })),
    replicationLagMs: replica?.recovering ? Math.round(num(replica.lag_ms)) : null,
    notes,
  };
}

/**
 * Connections in use (server-wide) against max_connections, per user and application: `db top`, and every target's
 * health probe (so `opsctl health`, triage and the bot's alerts see a target near its limit).
 */
export async function readConnections(db: SqlTarget): Promise<Connections> {
  const [max] =
    db.engine === 'mysql'
      ? await db.query<{ max: number }>('SELECT @@max_connections AS max')
      : await db.query<{ max: string }>("SELECT current_setting('max_connections') AS max");
  const byUser =
    db.engine === 'mysql'
      ? // MySQL has no application name: the client host stands for it.
        await db.query<Record<string, unknown>>(
          `SELECT USER AS user, SUBSTRING_INDEX(HOST, ':', 1) AS application, COUNT(*) AS count
           FROM information_schema.PROCESSLIST WHERE COMMAND <> 'Daemon' GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`,
        )
      : await db.query<Record<string, unknown>>(
          `SELECT coalesce(usename, '') AS "user", coalesce(application_name, '') AS application, count(*) AS count
           FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`,
        );
  const inUse = byUser.reduce((s, r) => s + num(r.count), 0);
  const limit = num(max?.max);
  return {
    inUse,
    max: limit,
    percent: limit > 0 ? (inUse / limit) * 100 : 0,
    byUser: byUser.map((r) => ({ user: str(r.user), application: str(r.application), count: num(r.count) })),
  };
}

async function mysqlTop(db: SqlTarget): Promise<TopReport> {
  const notes: string[] = [];
  const queries = await db.query<Record<string, unknown>>(
    `SELECT ID AS id, USER AS user, SUBSTRING_INDEX(HOST, ':', 1) AS application, COALESCE(STATE, COMMAND) AS state,
            TIME AS time_s, INFO AS query
     FROM information_schema.PROCESSLIST
     WHERE COMMAND NOT IN ('Sleep', 'Daemon', 'Binlog Dump') AND ID <> CONNECTION_ID()
     ORDER BY TIME DESC`,
  );
  let locks: LockWait[] = [];
  try {
    // MariaDB and MySQL 5.7 keep InnoDB lock waits in information_schema; MySQL 8 moved them to performance_schema.
    const rows = await db.query<Record<string, unknown>>(
      `SELECT r.trx_mysql_thread_id AS waiting_id, r.trx_query AS waiting_query,
              b.trx_mysql_thread_id AS blocking_id, b.trx_query AS blocking_query,
              TIMESTAMPDIFF(MICROSECOND, r.trx_wait_started, NOW(6)) / 1000 AS wait_ms
       FROM information_schema.INNODB_LOCK_WAITS w
       JOIN information_schema.INNODB_TRX b ON b.trx_id = w.blocking_trx_id
       JOIN information_schema.INNODB_TRX r ON r.trx_id = w.requesting_trx_id`,
    );
    locks = rows.map((l) => mysqlLockWait(db, l));
  } catch {
    try {
      const rows = await db.query<Record<string, unknown>>(
        `SELECT waiting_pid AS waiting_id, waiting_query, blocking_pid AS blocking_id, blocking_query,
                wait_age_secs * 1000 AS wait_ms FROM sys.innodb_lock_waits`,
      );
      locks = rows.map((l) => mysqlLockWait(db, l));
    } catch {
      notes.push('lock waits: neither information_schema.INNODB_LOCK_WAITS nor sys.innodb_lock_waits is readable');
    }
  }
  let replicationLagMs: number | null = null;
  try {
    const [status] = await db.query<Record<string, unknown>>('SHOW SLAVE STATUS');
    const behind = status?.Seconds_Behind_Master;
    if (status) replicationLagMs = behind === null || behind === undefined ? null : num(behind) * 1000;
  } catch {
    notes.push('replication: SHOW SLAVE STATUS needs the REPLICATION CLIENT privilege');
  }
  return {
    connections: await readConnections(db),
    queries: queries.map((q) => ({
      id: num(q.id),
      user: str(q.user),
      application: str(q.application),
      state: str(q.state),
      ageMs: num(q.time_s) * 1000,
      query: redact(db, q.query),
    })),
    locks,
    replicationLagMs,
    notes,
  };
}

/** Statements slower than `slowMs` on average, from whatever the server records, or how to make it record them. */
export async function readSlow(db: SqlTarget, slowMs: number, limit = 20): Promise<SlowReport> {
  if (db.engine === 'pglite') return { source: null, statements: [], howToEnable: PGLITE_NOTE };
  if (db.engine === 'postgres') {
    const [installed] = await db.query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_extension WHERE extname = 'pg_stat_statements'",
    );
    if (num(installed?.n) === 0) {
      return {
        source: null,
        statements: [],
        howToEnable:
          "pg_stat_statements is not installed: add it to shared_preload_libraries in postgresql.conf (shared_preload_libraries = 'pg_stat_statements'), restart PostgreSQL, then run CREATE EXTENSION pg_stat_statements; in this database.",
      };
    }
    const rows = await db.query<Record<string, unknown>>(
      `SELECT query, calls, total_exec_time AS total_ms, mean_exec_time AS mean_ms FROM pg_stat_statements
       WHERE mean_exec_time >= $1 ORDER BY total_exec_time DESC LIMIT ${Math.trunc(limit)}`,
      [slowMs],
    );
    return { source: 'pg_stat_statements', statements: rows.map((r) => slowRow(db, r)) };
  }
  const [flags] = await db.query<Record<string, unknown>>(
    'SELECT @@performance_schema AS ps, @@log_output AS output, @@slow_query_log AS slow',
  );
  if (num(flags?.ps) === 1) {
    const rows = await db.query<Record<string, unknown>>(
      `SELECT DIGEST_TEXT AS query, COUNT_STAR AS calls, SUM_TIMER_WAIT / 1e9 AS total_ms, AVG_TIMER_WAIT / 1e9 AS mean_ms
       FROM performance_schema.events_statements_summary_by_digest
       WHERE AVG_TIMER_WAIT >= ? * 1e9 ORDER BY SUM_TIMER_WAIT DESC LIMIT ${Math.trunc(limit)}`,
      [slowMs],
    );
    return { source: 'performance_schema digests', statements: rows.map((r) => slowRow(db, r)) };
  }
  if (num(flags?.slow) === 1 && str(flags?.output).toUpperCase().includes('TABLE')) {
    const rows = await db.query<Record<string, unknown>>(
      `SELECT sql_text AS query, COUNT(*) AS calls, SUM(TIME_TO_SEC(query_time)) * 1000 AS total_ms,
              AVG(TIME_TO_SEC(query_time)) * 1000 AS mean_ms
       FROM mysql.slow_log GROUP BY sql_text HAVING mean_ms >= ? ORDER BY total_ms DESC LIMIT ${Math.trunc(limit)}`,
      [slowMs],
    );
    return { source: 'mysql.slow_log', statements: rows.map((r) => slowRow(db, r)) };
  }
  return {
    source: null,
    statements: [],
    howToEnable: `neither performance_schema (OFF) nor a table slow log (log_output=${str(flags?.output)}, slow_query_log=${num(flags?.slow)}) records statements: set performance_schema=ON in my.cnf and restart, or run SET GLOBAL slow_query_log=1, log_output='TABLE', long_query_time=${slowMs / 1000};`,
  };
}

function slowRow(db: SqlTarget, r: Record<string, unknown>): SlowStatement {
  return { query: redact(db, r.query), calls: num(r.calls), totalMs: num(r.total_ms), meanMs: num(r.mean_ms) };
}

/** Indexes never used since statistics were reset (primary keys and unique indexes left out), and table sizes. */
export async function readIndexes(db: SqlTarget): Promise<IndexesReport> {
  if (db.engine !== 'mysql') {
    const unused = await db.query<Record<string, unknown>>(
      `SELECT s.schemaname || '.' || s.relname AS "table", s.indexrelname AS "index",
              pg_relation_size(s.indexrelid) AS size
       FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
       WHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary ORDER BY size DESC, 1, 2`,
    );
    const tables = await db.query<Record<string, unknown>>(
      `SELECT schemaname || '.' || relname AS "table", n_live_tup AS rows, pg_total_relation_size(relid) AS size
       FROM pg_stat_user_tables ORDER BY size DESC, 1`,
    );
    return {
      unused: unused.map((u) => ({ table: str(u.table), index: str(u.index), sizeBytes: num(u.size) })),
      tables: tables.map((t) => ({ table: str(t.table), rows: num(t.rows), sizeBytes: num(t.size) })),
      notes: ['index usage counts since the last pg_stat_reset() (or the server start on PostgreSQL 15+ crash)'],
    };
  }
  const notes: string[] = [];
  const tables = await db.query<Record<string, unknown>>(
    `SELECT TABLE_NAME AS tbl, TABLE_ROWS AS row_count, DATA_LENGTH + INDEX_LENGTH AS size
     FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY size DESC, 1`,
  );
  let unused: IndexesReport['unused'] = [];
  const [flags] = await db.query<{ ps: number }>('SELECT @@performance_schema AS ps');
  if (num(flags?.ps) === 1) {
    const rows = await db.query<Record<string, unknown>>(
      `SELECT u.OBJECT_NAME AS tbl, u.INDEX_NAME AS idx
       FROM performance_schema.table_io_waits_summary_by_index_usage u
       WHERE u.OBJECT_SCHEMA = DATABASE() AND u.INDEX_NAME IS NOT NULL AND u.INDEX_NAME <> 'PRIMARY'
         AND u.COUNT_STAR = 0
         AND NOT EXISTS (SELECT 1 FROM information_schema.STATISTICS s WHERE s.TABLE_SCHEMA = u.OBJECT_SCHEMA
                         AND s.TABLE_NAME = u.OBJECT_NAME AND s.INDEX_NAME = u.INDEX_NAME AND s.NON_UNIQUE = 0)
       ORDER BY 1, 2`,
    );
    unused = rows.map((r) => ({ table: str(r.tbl), index: str(r.idx), sizeBytes: null }));
  } else {
    notes.push(
      'index usage needs performance_schema=ON (my.cnf, then restart): table_io_waits_summary_by_index_usage is empty without it',
    );
  }
  return {
    unused,
    tables: tables.map((t) => ({ table: str(t.tbl), rows: num(t.row_count), sizeBytes: num(t.size) })),
    notes,
  };
}

/** Cancels the statement a session runs (`cancel`), or ends the session (`terminate`). True when the server did. */
export async function stopSession(db: SqlTarget, id: number, how: 'cancel' | 'terminate'): Promise<boolean> {
  if (!Number.isSafeInteger(id) || id <= 0) throw new Error(`not a session id: ${id}`);
  if (db.engine === 'mysql') {
    const [found] = await db.query<{ n: number }>(
      'SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID = ?',
      [id],
    );
    if (num(found?.n) === 0) return false;
    await db.exec(`${how === 'cancel' ? 'KILL QUERY' : 'KILL'} ${id}`);
    return true;
  }
  const fn = how === 'cancel' ? 'pg_cancel_backend' : 'pg_terminate_backend';
  const [row] = await db.query<{ ok: boolean }>(`SELECT ${fn}($1) AS ok`, [id]);
  return row?.ok === true;
}

export const MAINTENANCE = ['vacuum-analyze', 'analyze', 'reindex'] as const;
export type Maintenance = (typeof MAINTENANCE)[number];

/**
 * VACUUM ANALYZE / ANALYZE / REINDEX a table (MySQL: ANALYZE TABLE, and OPTIMIZE TABLE for the other two). `table` may
 * be qualified (`schema.table`, as readIndexes lists PostgreSQL tables): quoted as one identifier it named no table.
 */
export async function maintainTable(db: SqlTarget, table: string, action: Maintenance): Promise<string> {
  if (db.engine === 'mysql') {
    const sql = `${action === 'analyze' ? 'ANALYZE' : 'OPTIMIZE'} TABLE ${quoteMysql(qualifiedName(table))}`;
    const rows = await db.query<Record<string, unknown>>(sql);
    const failed = rows.find((r) => str(r.Msg_type).toLowerCase() === 'error');
    if (failed) throw new Error(`${sql}: ${str(failed.Msg_text)}`);
    return sql;
  }
  const name = quotePg(qualifiedName(table));
  const sql =
    action === 'vacuum-analyze'
      ? `VACUUM (ANALYZE) ${name}`
      : action === 'analyze'
        ? `ANALYZE ${name}`
        : `REINDEX TABLE ${name}`;
  await db.exec(sql);
  return sql;
}
