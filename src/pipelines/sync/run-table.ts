import type { SqlTarget } from '../../db/target.js';
import { CancelledError, errorMessage } from '../../errors.js';
import { quarantine } from '../../state/quarantine.js';
import type { StateStore } from '../../state/store.js';
import { getWatermark, setWatermark } from '../../state/watermarks.js';
import type { Row, Warehouse } from '../../warehouse/warehouse.js';
import type { PipelineContext, TableOutcome } from '../types.js';
import { quotePg } from '../../db/identifiers.js';
import { createTableSql, EXECUTION_LOG_TABLE, META_TABLES_SQL, WATERMARKS_TABLE } from './ddl.js';
import { bulkLoad } from './bulk.js';
import { inLoadTransaction, type LoadSession } from './load.js';
import { sourceQuery, type SourceDialect } from './source.js';
import type { SyncTable } from './tables.js';
import { compareWatermark, compileEncoder, copyField, normalizeValue, windowStart } from './values.js';

export interface SyncTableDeps {
  ctx: PipelineContext;
  store: StateStore;
  warehouse: Warehouse;
  source: { dialect: SourceDialect; dataset: string | undefined };
  target: SqlTarget;
  runId: number | null;
  force: boolean;
  dryRun: boolean;
  batchSize: number;
}

/** What one table run did, beyond the counts every pipeline reports. */
export interface SyncTableDetails {
  windowStart: string | null;
  inserted: number;
  updated: number;
  unchanged: number;
  duplicates: number;
  /** The watermark was held at a quarantined row's incremental value instead of advancing past it. */
  heldAt: string | null;
  /** `bulk`: the warehouse exported the rows that pass the checks as CSV for COPY; `rows`: every row checked in JS. */
  path: 'bulk' | 'rows';
}

export type SyncTableOutcome = TableOutcome & { details?: SyncTableDetails };

const QUARANTINE_FLUSH = 500;

/**
 * The merge: one row per key from the staging table (deterministic choice), upserted, unchanged rows not rewritten.
 * `plain` (one row per key, the usual case): straight from staging, no sort and no materialized copy of it; `changed`
 * (known to hold one row per key): only the staged rows that are new or differ go to the upsert. In both the caller
 * knows how many rows it staged.
 */
export function mergeSql(t: SyncTable, stage: string, mode: 'dedupe' | 'plain' | 'changed' = 'dedupe'): string {
  const cols = t.columns.map((c) => quotePg(c.name));
  const key = t.key.map(quotePg);
  const rest = t.columns.filter((c) => !t.key.includes(c.name)).map((c) => quotePg(c.name));
  // Duplicate keys: the latest incremental value wins; a tie is broken by the other columns' values, so the outcome
  // never depends on the order the warehouse returned the rows in.
  const tiebreak = [quotePg(t.incremental), ...rest.filter((c) => c !== quotePg(t.incremental))].map(
    (c) => `${c} DESC NULLS LAST`,
  );
  const onConflict = rest.length
    ? `DO UPDATE SET ${rest.map((c) => `${c} = EXCLUDED.${c}`).join(', ')} WHERE (${rest.map((c) => `${quotePg(t.name)}.${c}`).join(', ')}${rest.length === 1 ? ', NULL' : ''}) IS DISTINCT FROM (${rest.map((c) => `EXCLUDED.${c}`).join(', ')}${rest.length === 1 ? ', NULL' : ''})`
    : 'DO NOTHING';
  const upsert = (
    from: string,
  ) => `INSERT INTO ${quotePg(t.name)} (${cols.join(', ')}) SELECT ${cols.join(', ')} FROM ${from}
  ON CONFLICT (${key.join(', ')}) ${onConflict}
  RETURNING (xmax = 0) AS inserted`;
  const counts = `SELECT (count(*) FILTER (WHERE inserted))::int AS inserted, (count(*) FILTER (WHERE NOT inserted))::int AS updated`;
  if (mode === 'changed') {
    // ON CONFLICT locks every row it finds, even when its WHERE then leaves the row as it is (1,000,000 unchanged rows:
    // ~200 MB of WAL for the locks, measured here); the join leaves the unchanged ones out first. Only with one staged
    // row per key: a repeated key whose copies were partly left out would escape the deduplication's choice.
    const match = key.map((k) => `opsctl_cur.${k} = opsctl_new.${k}`).join(' AND ');
    const differs = rest.length
      ? ` OR (${rest.map((c) => `opsctl_cur.${c}`).join(', ')}${rest.length === 1 ? ', NULL' : ''}) IS DISTINCT FROM (${rest.map((c) => `opsctl_new.${c}`).join(', ')}${rest.length === 1 ? ', NULL' : ''})`
      : '';
    const changed = `(SELECT opsctl_new.* FROM ${stage} AS opsctl_new LEFT JOIN ${quotePg(t.name)} AS opsctl_cur ON ${match}
    WHERE opsctl_cur.${key[0]} IS NULL${differs}) AS opsctl_changed`;
    return `WITH up AS (\n  ${upsert(changed)}\n)\n${counts}, NULL::int AS distinct_rows FROM up`;
  }
  if (mode === 'plain') return `WITH up AS (\n  ${upsert(stage)}\n)\n${counts}, NULL::int AS distinct_rows FROM up`;
  const src = `SELECT DISTINCT ON (${key.join(', ')}) ${cols.join(', ')} FROM ${stage} ORDER BY ${[...key, ...tiebreak].join(', ')}`;
  return `WITH src AS MATERIALIZED (
  ${src}
), up AS (
  ${upsert('src')}
)
${counts}, (SELECT count(*) FROM src)::int AS distinct_rows FROM up`;
}

type MergeCounts = { inserted: number; updated: number; distinct_rows: number };

/** Whether the target table holds no row (seen from this transaction). */
async function isEmpty(s: LoadSession, t: SyncTable): Promise<boolean> {
  const [r] = await s.query<{ empty: boolean }>(`SELECT NOT EXISTS (SELECT 1 FROM ${quotePg(t.name)}) AS empty`);
  return r?.empty === true;
}

/**
 * Most batches have one row per key: the upsert then runs straight from staging (no sort). When a key repeats,
 * PostgreSQL refuses ("cannot affect row a second time", 21000); the savepoint undoes that attempt and the
 * deduplicating merge runs instead. Either way the outcome is the same as the deduplicating merge's.
 */
async function merge(
  s: LoadSession,
  t: SyncTable,
  stage: string,
  options: { empty: boolean; staged: number; uniqueKeys: boolean },
): Promise<MergeCounts> {
  const { empty, staged } = options;
  const target = quotePg(t.name);
  // An empty target (the per-row path's first load, --force into a truncated table): nothing to compare against, so a
  // plain INSERT … SELECT does it without the ON CONFLICT arbiter and the RETURNING. A repeated key in staging (or a
  // row another writer added meanwhile) raises 23505: the savepoint undoes it and the general merge runs.
  if (empty) {
    const cols = t.columns.map((c) => quotePg(c.name)).join(', ');
    await s.query('SAVEPOINT opsctl_merge');
    try {
      const n = await s.exec(`INSERT INTO ${target} (${cols}) SELECT ${cols} FROM ${stage}`);
      await s.query('RELEASE SAVEPOINT opsctl_merge');
      return { inserted: n, updated: 0, distinct_rows: n };
    } catch (error) {
      if ((error as { code?: string }).code !== '23505') throw error;
      await s.query('ROLLBACK TO SAVEPOINT opsctl_merge');
    }
  }
  await s.query('SAVEPOINT opsctl_merge');
  try {
    if (options.uniqueKeys) await s.query(`ANALYZE ${stage}`); // the join's plan needs its size
    const [m] = await s.query<MergeCounts>(mergeSql(t, stage, options.uniqueKeys ? 'changed' : 'plain'));
    await s.query('RELEASE SAVEPOINT opsctl_merge');
    return { ...m!, distinct_rows: staged };
  } catch (error) {
    if ((error as { code?: string }).code !== '21000') throw error;
    await s.query('ROLLBACK TO SAVEPOINT opsctl_merge');
    const [m] = await s.query<MergeCounts>(mergeSql(t, stage, 'dedupe'));
    return m!;
  }
}

export async function ensureTargetTables(target: SqlTarget, tables: SyncTable[]): Promise<void> {
  for (const sql of [...META_TABLES_SQL, ...tables.map(createTableSql)]) await target.exec(sql);
}

/**
 * One table: read the watermark W, stream the source from W − lookback (everything with --force or no watermark),
 * check each row (null key, bad type → quarantine), COPY the good ones into staging, merge, record the target-side
 * watermark and log row in the same transaction, commit, and only then advance the state store's watermark. DuckDB →
 * PostgreSQL takes the bulk path (bulk.ts): the checks run in SQL, PostgreSQL COPYs DuckDB's own CSV, and only the
 * rows that fail a check come through JS.
 */
export async function syncOneTable(t: SyncTable, deps: SyncTableDeps): Promise<SyncTableOutcome> {
  const { ctx, store, target } = deps;
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const before = (await getWatermark(store, t.pipeline, t.name))?.value ?? null;
  const from = deps.force ? null : windowStart(before, t.watermarkType, t.lookbackDays);
  const { sql, params } = sourceQuery(t, deps.source.dialect, deps.source.dataset, from);
  const stage = quotePg(`opsctl_stage_${t.name}`.slice(0, 63));
  const colTypes = t.columns.map((c) => `${quotePg(c.name)} ${c.type}`).join(', ');
  const keyIdx = t.key.map((k) => t.columns.findIndex((c) => c.name === k));
  const incIdx = t.columns.findIndex((c) => c.name === t.incremental);
  let extracted = 0;
  let rejected = 0;
  let maxLoaded: string | null = null;
  let minRejected: string | null = null;
  let rejectedWithoutIncremental = 0;
  let pending: Array<{ runId: number | null; pipeline: string; table: string; reason: string; payload: unknown }> = [];
  const flush = async () => {
    if (pending.length && !deps.dryRun) await quarantine(store, pending);
    pending = [];
  };
  const cmp = (a: string, b: string) => compareWatermark(a, b, t.watermarkType);
  // One encoder per column, compiled once per run; the key columns are looked up by index, not per row.
  const names = t.columns.map((c) => c.name);
  const ncols = names.length;
  const encoders = t.columns.map((c, i) => compileEncoder(c.type, i === incIdx));
  const nulls: boolean[] = t.columns.map(() => false);

  try {
    const merged = await inLoadTransaction(
      target,
      { stageDdl: `CREATE TEMP TABLE ${stage} (${colTypes}) ON COMMIT DROP`, copyInto: stage, commit: !deps.dryRun },
      async (s) => {
        // One batch of source rows through the per-row checks: quarantined or appended to staging in COPY text form.
        const loadBatch = async (batch: Row[]) => {
          let text = '';
          for (const row of batch) {
            extracted++;
            let line = '';
            let bad = -1;
            let inc: string | null = null;
            for (let i = 0; i < ncols; i++) {
              const v = row[names[i]!];
              let field: string | undefined;
              if (i === incIdx) {
                const n = normalizeValue(v, t.incrementalType, true);
                if (n.ok) {
                  inc = n.text;
                  field = copyField(n.text);
                }
              } else field = encoders[i]!(v);
              if (field === undefined) {
                bad = i;
                break;
              }
              line += i === 0 ? field : `\t${field}`;
              nulls[i] = field === '\\N';
            }
            let reason: string | undefined;
            if (bad >= 0) {
              const c = t.columns[bad]!;
              const n = normalizeValue(row[c.name], c.type, bad === incIdx);
              reason = `${c.name}: ${n.ok ? 'rejected' : n.reason}`;
            } else {
              const nullKey = keyIdx.find((i) => nulls[i]);
              if (nullKey !== undefined) reason = `primary key column ${t.columns[nullKey]!.name} is null`;
              else if (inc === null) reason = `incremental column ${t.incremental} is null`;
            }
            if (reason) {
              rejected++;
              const incN = normalizeValue(row[t.incremental], t.incrementalType);
              if (incN.ok && incN.text !== null) {
                if (minRejected === null || cmp(incN.text, minRejected) < 0) minRejected = incN.text;
              } else rejectedWithoutIncremental++;
              pending.push({ runId: deps.runId, pipeline: t.pipeline, table: t.name, reason, payload: row });
              if (pending.length >= QUARANTINE_FLUSH) await flush();
              continue;
            }
            if (maxLoaded === null || cmp(inc!, maxLoaded) > 0) maxLoaded = inc;
            text += `${line}\n`;
          }
          await s.copy(text);
          ctx.progress({
            phase: t.name,
            done: extracted,
            note: `${extracted} rows read${rejected ? `, ${rejected} quarantined` : ''}`,
          });
        };
        // An empty target (first load, --force into a truncated table): the bulk path COPYs straight into it.
        const empty = await isEmpty(s, t);
        const bulk = await bulkLoad(
          s,
          deps.warehouse,
          t,
          { sql, params },
          { signal: ctx.signal, debug: (m) => ctx.log.debug(m), direct: empty },
        );
        if (bulk) {
          extracted += bulk.rows;
          maxLoaded = bulk.maxLoaded;
          ctx.progress({ phase: t.name, done: extracted, note: `${extracted} rows read (bulk)` });
        }
        // Without the bulk path, the whole window; with it, only the rows that failed a check there (usually none).
        const rest = bulk ? bulk.badSql : sql;
        if (rest !== null)
          for await (const batch of deps.warehouse.stream(rest, params, {
            batchSize: deps.batchSize,
            signal: ctx.signal,
            labels: { pipeline: t.pipeline, table: t.name },
          })) {
            if (ctx.signal.aborted)
              throw new CancelledError(`cancelled while syncing ${t.name}`, {
                hint: 'Nothing of this table was committed; re-run it.',
              });
            await loadBatch(batch);
          }
        await flush();
        const copiedAt = performance.now();
        const toMerge = extracted - rejected - (bulk?.direct ? bulk.rows : 0);
        let m: MergeCounts = { inserted: 0, updated: 0, distinct_rows: 0 };
        // Rows the per-row path staged after a direct COPY (those it found fine after all) still go through the merge.
        // After a bulk load the INSERT … SELECT shortcut is no use: the target was not empty, or a key repeats.
        // The bulk path's summary says whether a key repeats; rows the per-row path staged are not in it.
        const uniqueKeys = bulk !== null && bulk.duplicateKeys === 0 && toMerge === bulk.rows;
        if (!bulk?.direct || toMerge > 0)
          m = await merge(s, t, stage, { empty: empty && !bulk, staged: toMerge, uniqueKeys });
        if (bulk?.direct) m = { ...m, inserted: m.inserted + bulk.rows, distinct_rows: m.distinct_rows + bulk.rows };
        ctx.log.debug(
          `sync ${t.name}: read and copied ${extracted} rows in ${Math.round(copiedAt - started)} ms, merged in ${Math.round(performance.now() - copiedAt)} ms`,
        );
        const after = nextWatermark(before, maxLoaded, minRejected, deps.force, cmp);
        const finishedAt = new Date().toISOString();
        await s.query(
          `INSERT INTO ${WATERMARKS_TABLE} (pipeline, table_name, incremental_column, watermark, run_id, updated_at) VALUES ($1, $2, $3, $4, $5, now())
         ON CONFLICT (pipeline, table_name) DO UPDATE SET incremental_column = EXCLUDED.incremental_column, watermark = EXCLUDED.watermark, run_id = EXCLUDED.run_id, updated_at = EXCLUDED.updated_at`,
          [t.pipeline, t.name, t.incremental, after, deps.runId],
        );
        await s.query(
          `INSERT INTO ${EXECUTION_LOG_TABLE} (run_id, pipeline, table_name, status, rows_extracted, rows_upserted, rows_rejected, watermark_before, watermark_after, started_at, finished_at, duration_ms)
         VALUES ($1, $2, $3, 'ok', $4, $5, $6, $7, $8, $9, $10, $11)`,
          [
            deps.runId,
            t.pipeline,
            t.name,
            extracted,
            m.inserted + m.updated,
            rejected,
            before,
            after,
            startedAt,
            finishedAt,
            Math.round(performance.now() - started),
          ],
        );
        return { ...m, after, path: bulk ? ('bulk' as const) : ('rows' as const) };
      },
    );
    // The target has committed: only now may the watermark move (a crash before this line re-reads the same rows).
    if (!deps.dryRun && merged.after !== null && merged.after !== before) {
      await setWatermark(store, {
        pipeline: t.pipeline,
        table: t.name,
        value: merged.after,
        type: t.watermarkType,
        runId: deps.runId,
      });
    }
    const staged = extracted - rejected;
    const heldAt = minRejected !== null && merged.after === minRejected ? minRejected : null;
    const reasons: string[] = [];
    if (rejected)
      reasons.push(
        `${rejected} rows quarantined${heldAt ? `; watermark held at ${heldAt}` : ''}${rejectedWithoutIncremental ? ` (${rejectedWithoutIncremental} without an incremental value)` : ''}`,
      );
    if (deps.dryRun) reasons.push('dry run: rolled back');
    return {
      table: `${t.name}`,
      extracted,
      loaded: merged.inserted + merged.updated,
      rejected,
      status: 'ok',
      ...(reasons.length ? { reason: reasons.join('; ') } : {}),
      watermarkBefore: before,
      watermarkAfter: deps.dryRun ? before : merged.after,
      durationMs: Math.round(performance.now() - started),
      details: {
        windowStart: from,
        inserted: merged.inserted,
        updated: merged.updated,
        unchanged: merged.distinct_rows - merged.inserted - merged.updated,
        duplicates: staged - merged.distinct_rows,
        heldAt,
        path: merged.path,
      },
    };
  } catch (error) {
    if (error instanceof CancelledError || ctx.signal.aborted) throw error;
    await flush().catch(() => undefined);
    const message = errorMessage(error);
    await target
      .query(
        `INSERT INTO ${EXECUTION_LOG_TABLE} (run_id, pipeline, table_name, status, rows_extracted, rows_rejected, watermark_before, watermark_after, error, started_at, finished_at, duration_ms)
         VALUES ($1, $2, $3, 'failed', $4, $5, $6, $6, $7, $8, now(), $9)`,
        [
          deps.runId,
          t.pipeline,
          t.name,
          extracted,
          rejected,
          before,
          message.slice(0, 2000),
          startedAt,
          Math.round(performance.now() - started),
        ],
      )
      .catch(() => undefined);
    return {
      table: t.name,
      extracted,
      loaded: 0,
      rejected,
      status: 'failed',
      reason: message,
      watermarkBefore: before,
      watermarkAfter: before,
      durationMs: Math.round(performance.now() - started),
    };
  }
}

/**
 * The watermark after a committed run: the largest incremental value loaded (never below the old one unless
 * --force reloaded), but never past a quarantined row, so that row is read again once it is fixed at the source.
 */
export function nextWatermark(
  before: string | null,
  maxLoaded: string | null,
  minRejected: string | null,
  force: boolean,
  cmp: (a: string, b: string) => number,
): string | null {
  let next = maxLoaded;
  if (!force && before !== null && (next === null || cmp(before, next) > 0)) next = before;
  if (minRejected !== null && (next === null || cmp(minRejected, next) < 0)) next = minRejected;
  return next;
}
