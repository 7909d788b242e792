import { spawnSync } from 'node:child_process';
import {
  closeSync,
  constants,
  lstatSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SyncColumnType } from '../../config/sections/sync-tables.js';
import { currentProcess, isProcessAlive, type ProcessIdentity } from '../../util/process.js';
import { sleep } from '../../util/sleep.js';
import type { SourceColumn, Warehouse } from '../../warehouse/warehouse.js';
import { quotePg } from '../../db/identifiers.js';
import type { LoadSession } from './load.js';
import type { SyncTable } from './tables.js';
import { normalizeValue } from './values.js';

/**
 * The bulk path of a sync run (DuckDB warehouse → PostgreSQL): the warehouse writes the rows that pass the checks as
 * CSV natively and PostgreSQL COPYs the file, so the rows never become JS values; the rows that fail a check are
 * streamed through the per-row path, which quarantines them with their reason (or loads them, if it finds them fine).
 *
 * The checks are the per-row path's (values.ts) written in SQL, for the source types whose CSV form PostgreSQL reads as
 * the very value the per-row path would load. Any other source type (FLOAT, JSON, STRUCT, text holding dates, …)
 * makes the table run on the per-row path instead: the bulk path is an optimisation, never a second set of rules.
 */
export interface BulkPlan {
  /** The rows that pass every check, in the target's column order. */
  goodSql: string;
  /** The rows that fail one, for the per-row path. */
  badSql: string;
  /**
   * What the export does not say, in one statement: the largest incremental value among the good rows (as text,
   * normalised by the caller like any other), how many rows failed a check (the per-row path reads them only when there
   * are) and how many good rows repeat a key (none: the merge may leave unchanged rows out before its upsert).
   */
  summarySql: string;
  /** Text columns: always quoted in the CSV, so '' stays an empty string and only an unquoted empty field is NULL. */
  quote: string[];
}

const INT4_SAFE = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'UTINYINT', 'USMALLINT']);
const INT8_SAFE = new Set([...INT4_SAFE, 'BIGINT', 'UINTEGER']);
const TIMESTAMPS = new Set(['TIMESTAMP', 'TIMESTAMP WITH TIME ZONE', 'DATE']);

/**
 * The SQL condition that is true when the value cannot load into `target` (null when nothing can be wrong with it),
 * or undefined when this source type is not handled by the bulk path.
 */
export function badValueSql(
  column: string,
  source: string,
  target: SyncColumnType,
  incremental: boolean,
): string | null | undefined {
  const c = quotePg(column);
  const type = source.toUpperCase();
  const calendar = (lo: string, hi: string) => `NOT isfinite(${c}) OR ${c} < ${lo} OR ${c} > ${hi}`;
  switch (target) {
    case 'text':
      // The per-row path refuses a NUL byte (PostgreSQL text cannot hold one).
      return type === 'VARCHAR' || type.startsWith('ENUM(') ? `strpos(CAST(${c} AS VARCHAR), chr(0)) > 0` : undefined;
    case 'integer':
      if (INT4_SAFE.has(type)) return null;
      return type === 'BIGINT' ? `${c} NOT BETWEEN -2147483648 AND 2147483647` : undefined;
    case 'bigint':
      return INT8_SAFE.has(type) ? null : undefined;
    case 'numeric':
    case 'double precision':
      // FLOAT is left out: its CSV form is the shortest float32 text, the per-row path loads the float64 it widens to.
      if (type === 'DOUBLE') return `NOT isfinite(${c})`;
      return INT8_SAFE.has(type) || type.startsWith('DECIMAL') ? null : undefined;
    case 'boolean':
      return type === 'BOOLEAN' ? null : undefined;
    case 'date':
      // The per-row path reads dates as YYYY-MM-DD: years 1–9999, no infinity.
      return type === 'DATE' ? calendar("DATE '0001-01-01'", "DATE '9999-12-31'") : undefined;
    case 'timestamp':
    case 'timestamptz':
      if (!TIMESTAMPS.has(type)) return undefined;
      // The incremental column of a `timestamp` target is loaded as its UTC form by the per-row path; a zoned source
      // would be written in the warehouse session's zone, so it stays on the per-row path.
      if (incremental && target === 'timestamp' && type === 'TIMESTAMP WITH TIME ZONE') return undefined;
      return calendar(`CAST('0001-01-01' AS ${type})`, `CAST('9999-12-31 23:59:59.999999' AS ${type})`);
    default:
      return undefined;
  }
}

/** The bulk plan for a table's source query, or the reason it runs on the per-row path. */
export function bulkPlan(t: SyncTable, sourceSql: string, described: SourceColumn[]): BulkPlan | { reason: string } {
  if (described.length !== t.columns.length)
    return { reason: `the source returns ${described.length} columns, the table has ${t.columns.length}` };
  const conditions: string[] = [];
  for (const [i, col] of t.columns.entries()) {
    const source = described[i]!.type;
    const check = badValueSql(col.name, source, col.type, col.name === t.incremental);
    if (check === undefined) return { reason: `column ${col.name}: ${source} into ${col.type} is checked row by row` };
    if (t.key.includes(col.name) || col.name === t.incremental) conditions.push(`${quotePg(col.name)} IS NULL`);
    if (check) conditions.push(`coalesce(${check}, false)`);
  }
  const bad = conditions.length ? conditions.map((c) => `(${c})`).join(' OR ') : 'false';
  const from = `FROM (${sourceSql}) AS opsctl_src`;
  return {
    goodSql: `SELECT * ${from} WHERE NOT (${bad})`,
    badSql: `SELECT * ${from} WHERE ${bad}`,
    summarySql: `WITH opsctl_src AS (${sourceSql})
SELECT CAST(max(g.m) AS VARCHAR) AS max_loaded, coalesce(sum(g.n) - count(*), 0) AS duplicate_keys,
  (SELECT count(*) FROM opsctl_src WHERE ${bad}) AS bad_rows
FROM (SELECT max(${quotePg(t.incremental)}) AS m, count(*) AS n FROM opsctl_src WHERE NOT (${bad}) GROUP BY ${t.key.map(quotePg).join(', ')}) AS g`,
    quote: t.columns.filter((c) => c.type === 'text').map((c) => c.name),
  };
}

export interface BulkLoaded {
  /** Rows the warehouse exported and PostgreSQL copied into staging. */
  rows: number;
  /** Their largest incremental value, normalised as the per-row path would (null when none). */
  maxLoaded: string | null;
  /** The rows left for the per-row path; null when every row passed the checks. */
  badSql: string | null;
  /** The rows went straight into the (empty) target table, not into staging: there is nothing left to merge. */
  direct: boolean;
  /** Exported rows beyond the first of their key (0: one row per key). */
  duplicateKeys: number;
}

/**
 * Runs the bulk path when both ends support it (a warehouse that exports CSV, a PostgreSQL load session) and every
 * column's source type is one it handles; null otherwise, and the caller streams the whole source row by row. The CSV
 * lives in a private temporary directory for the length of the COPY.
 *
 * `direct` (the caller saw the target table empty, in this transaction): the rows are COPYed into the table itself,
 * as `psql \copy` would, instead of into staging and then `INSERT … SELECT` (each costs about what the COPY alone
 * does). A repeated key in the source, or a row another writer added meanwhile, fails that COPY with 23505: the
 * savepoint undoes it and the rows are exported again into staging, where the merge keeps one row per key.
 */
export async function bulkLoad(
  session: LoadSession,
  warehouse: Warehouse,
  t: SyncTable,
  source: { sql: string; params: unknown[] },
  options: { signal: AbortSignal; debug: (message: string) => void; direct?: boolean },
): Promise<BulkLoaded | null> {
  if (!session.copyCsvFile || !warehouse.exportCsv || !warehouse.describe) return null;
  const plan = bulkPlan(t, source.sql, await warehouse.describe(source.sql));
  if ('reason' in plan) {
    options.debug(`sync ${t.name}: row by row (${plan.reason})`);
    return null;
  }
  sweepSyncDirs(options.debug);
  const dir = mkdtempSync(join(tmpdir(), `${SYNC_DIR_PREFIX}${process.pid}-`));
  writeFileSync(join(dir, OWNER_FILE), JSON.stringify(currentProcess()), { mode: 0o600 });
  try {
    const file = join(dir, 'rows.csv');
    const fifo = makeFifo(file);
    const copyInto = async (into: 'stage' | 'target') => {
      const exportRows = () =>
        warehouse.exportCsv!(plan.goodSql, source.params, file, { quote: plan.quote, signal: options.signal });
      const copy = () => session.copyCsvFile!(file, into === 'target' ? targetColumns(t) : undefined);
      // Through a named pipe, the warehouse writes while PostgreSQL reads: the export costs no wall time of its own.
      if (fifo) return exportThroughFifo(file, exportRows, copy);
      const n = await exportRows();
      if (n > 0) await copy();
      return n;
    };
    let rows: number | undefined;
    let direct = false;
    if (options.direct) {
      await session.query('SAVEPOINT opsctl_direct');
      try {
        rows = await copyInto('target');
        await session.query('RELEASE SAVEPOINT opsctl_direct');
        direct = true;
      } catch (error) {
        if ((error as { code?: string }).code !== '23505') throw error;
        await session.query('ROLLBACK TO SAVEPOINT opsctl_direct');
        options.debug(`sync ${t.name}: a key repeats in the source; staging the rows for the merge instead`);
      }
    }
    rows ??= await copyInto('stage');
    const [summary] = await warehouse.query<{
      max_loaded: string | null;
      bad_rows: number | bigint;
      duplicate_keys: number | bigint | null;
    }>(plan.summarySql, source.params);
    let maxLoaded: string | null = null;
    if (rows > 0 && summary?.max_loaded != null) {
      const n = normalizeValue(summary.max_loaded, t.incrementalType, true);
      if (!n.ok)
        throw new Error(
          `the largest ${t.incremental} exported (${summary.max_loaded}) does not read back as ${t.incrementalType}: ${n.reason}`,
        );
      maxLoaded = n.text;
    }
    return {
      rows,
      maxLoaded,
      badSql: Number(summary?.bad_rows ?? 1) > 0 ? plan.badSql : null,
      direct,
      duplicateKeys: Number(summary?.duplicate_keys ?? 1),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The target table and its column list in the CSV's order (the table's own order may differ). */
function targetColumns(t: SyncTable): string {
  return `${quotePg(t.name)} (${t.columns.map((c) => quotePg(c.name)).join(', ')})`;
}

function makeFifo(path: string): boolean {
  if (process.platform === 'win32') return false;
  return spawnSync('mkfifo', ['-m', '600', path], { stdio: 'ignore' }).status === 0;
}

/**
 * Runs the export (writer) and the COPY (reader) on the same FIFO. Opening a FIFO blocks until the other end opens
 * it, so each end's failure must release the other: when one side has settled and the other has not, the pipe is
 * opened (non-blocking) and closed again from the settled side's end until the other settles. The COPY then reads an
 * end of file (the export's error goes up and the transaction rolls back); the export's next write fails (EPIPE).
 */
export async function exportThroughFifo(
  fifo: string,
  exportRows: () => Promise<number>,
  copy: () => Promise<void>,
): Promise<number> {
  const settled = { copy: false, export: false };
  // When both ends fail, the first failure is the cause (a COPY refused by the server makes the export's next write
  // fail with EPIPE; an export that stops mid-row leaves the COPY a broken last line).
  let first: { error: unknown } | undefined;
  const track = <T>(side: 'copy' | 'export', p: Promise<T>) =>
    p.then(
      (v) => ((settled[side] = true), v),
      (error: unknown) => {
        settled[side] = true;
        first ??= { error };
        throw error;
      },
    );
  const copied = track('copy', copy());
  const exported = track('export', exportRows());
  const release = async (other: 'copy' | 'export', flags: number) => {
    while (!settled[other]) {
      try {
        closeSync(openSync(fifo, flags | constants.O_NONBLOCK));
      } catch {
        // ENXIO: no reader has opened the pipe yet.
      }
      await sleep(10);
    }
  };
  const [e] = await Promise.allSettled([
    exported.finally(() => release('copy', constants.O_WRONLY)),
    copied.finally(() => release('export', constants.O_RDONLY)),
  ]);
  if (first) throw first.error;
  return (e as PromiseFulfilledResult<number>).value;
}

const SYNC_DIR_PREFIX = 'opsctl-sync-';
const OWNER_FILE = 'owner.json';
/** A directory from before owner files (or whose owner file is unreadable) is swept once it is this old. */
const LEGACY_SWEEP_AGE_MS = 24 * 3_600_000;

/**
 * Removes the private temporary directories (and their FIFOs) of bulk syncs whose process died without cleaning up
 * (`kill -9`, OOM): each directory names its owner (host, pid, start time) in owner.json, and one whose owner
 * provably no longer runs is removed. Only this user's directories are touched; a live owner's never.
 */
export function sweepSyncDirs(debug: (message: string) => void = () => undefined, root = tmpdir()): string[] {
  const swept: string[] = [];
  let names: string[];
  try {
    names = readdirSync(root).filter((n) => n.startsWith(SYNC_DIR_PREFIX));
  } catch {
    return swept;
  }
  const uid = process.getuid?.();
  for (const name of names) {
    const dir = join(root, name);
    try {
      const stat = lstatSync(dir);
      if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid)) continue;
      let dead: boolean;
      try {
        const owner = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as ProcessIdentity;
        dead = isProcessAlive(owner) === false;
      } catch {
        dead = Date.now() - stat.mtimeMs > LEGACY_SWEEP_AGE_MS;
      }
      if (!dead) continue;
      rmSync(dir, { recursive: true, force: true });
      swept.push(dir);
      debug(`sync: removed ${dir}, left by a process that no longer runs`);
    } catch {
      /* another process swept it first, or it is not ours to read */
    }
  }
  return swept;
}
