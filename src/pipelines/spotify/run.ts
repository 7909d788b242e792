import type { Config } from '../../config/load.js';
import { CancelledError, errorMessage, OperationFailed, throwIfAborted } from '../../errors.js';
import { SPOTIFY_TABLE_NAMES, SPOTIFY_TABLES, type SpotifyTableName } from '../../spotify/tables.js';
import type { SpotifyExtract, SpotifyExtractor } from '../../spotify/types.js';
import { quarantine } from '../../state/quarantine.js';
import { heartbeatRun } from '../../state/runs.js';
import type { StateStore } from '../../state/store.js';
import { getWatermark, setWatermark } from '../../state/watermarks.js';
import type { TableDef } from '../../warehouse/tables.js';
import { openMeteredWarehouse } from '../../costs/metering.js';
import type { Warehouse } from '../../warehouse/warehouse.js';
import type {
  PipelineConfig,
  PipelineContext,
  PipelineOutcome,
  PipelineProgress,
  PipelineRunner,
  PipelineRunOptions,
  TableOutcome,
} from '../types.js';

type SpotifyPipelineConfig = Extract<PipelineConfig, { kind: 'spotify' }>;

/** The watermark table name the recently-played `after` cursor is kept under (ms since epoch). */
export const CURSOR_TABLE: SpotifyTableName = 'recently_played';

export interface SpotifyRunnerDeps {
  /** The extractor for a source; defaults to `createSpotifyExtractor` (Web API or the sample source). */
  createExtractor?: (config: Config, source: 'api' | 'sample') => Promise<SpotifyExtractor>;
  /** The warehouse; defaults to the configured one. */
  openWarehouse?: (config: Config) => Promise<Warehouse>;
}

/** What a Spotify run reports besides the per-table counts. */
export interface SpotifyOutcome extends PipelineOutcome {
  source: 'api' | 'sample';
  apiCalls: number;
  quarantined: number;
  dryRun: boolean;
  cursorBefore: string | null;
  cursorAfter: string | null;
}

const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The Spotify pipeline: extract (the extractor validates against the zod models and returns rejected records),
 * quarantine what was rejected, then per table ensure, stage and MERGE on the natural key. The recently-played cursor
 * is advanced in the state store only after its table's MERGE committed, so a crash never skips plays. `dryRun`
 * extracts and validates, and loads, quarantines and advances nothing.
 */
export function createSpotifyRunner(deps: SpotifyRunnerDeps = {}): PipelineRunner {
  return async (ctx, name, pipelineConfig, options): Promise<SpotifyOutcome> => {
    const store = await ctx.state();
    const publisher = publishProgress(ctx, store, options.runId, { kind: 'spotify', dryRun: options.dryRun });
    try {
      return await runSpotify(
        ctx,
        name,
        pipelineConfig as SpotifyPipelineConfig,
        options,
        deps,
        store,
        publisher.report,
      );
    } finally {
      // No progress write may land after the run record is finished.
      await publisher.flush();
    }
  };
}

async function runSpotify(
  ctx: PipelineContext,
  name: string,
  pipeline: SpotifyPipelineConfig,
  options: PipelineRunOptions,
  deps: SpotifyRunnerDeps,
  store: StateStore,
  progress: (p: PipelineProgress) => void,
): Promise<SpotifyOutcome> {
  const signal = ctx.signal;

  progress({ phase: 'extract', note: `${pipeline.source} source` });
  const cursor = await getWatermark(store, name, CURSOR_TABLE);
  const cursorBefore = cursor?.value ?? null;
  const createExtractor =
    deps.createExtractor ??
    (async (config: Config, source: 'api' | 'sample') =>
      (await import('../../spotify/index.js')).createSpotifyExtractor(config, source));
  const extractor = await createExtractor(ctx.config, pipeline.source);
  const extract: SpotifyExtract = await extractor({
    signal,
    recentlyPlayedAfter: cursorBefore === null ? null : Number(cursorBefore),
    limits: pipeline.limits,
    onProgress: (p) =>
      progress({
        phase: `extract ${p.phase}`,
        ...(p.done === undefined ? {} : { done: p.done }),
        ...(p.total === undefined ? {} : { total: p.total }),
        ...(p.note ? { note: p.note } : {}),
      }),
  });
  throwIfAborted(signal);

  const wanted = options.tables?.length
    ? SPOTIFY_TABLE_NAMES.filter((t) => options.tables!.includes(t))
    : SPOTIFY_TABLE_NAMES;
  const rejectedBy = new Map<string, number>();
  for (const r of extract.rejected) rejectedBy.set(r.table, (rejectedBy.get(r.table) ?? 0) + 1);
  const unavailable = new Map(extract.unavailable.map((u) => [u.table as string, u.reason]));
  const cursorAfter = extract.recentlyPlayedAfter === null ? cursorBefore : String(extract.recentlyPlayedAfter);

  const notes: string[] = [];
  for (const [table, reason] of unavailable) notes.push(`${table} unavailable: ${reason}`);
  if (extract.rejected.length) {
    notes.push(
      `${count(extract.rejected.length, 'record')} failed validation${options.dryRun ? '' : ' and went to quarantine'} (${[...rejectedBy].map(([t, n]) => `${t} ${n}`).join(', ')})`,
    );
  }

  const base = {
    source: pipeline.source,
    apiCalls: extract.apiCalls,
    quarantined: 0,
    dryRun: options.dryRun,
    cursorBefore,
    cursorAfter: cursorBefore,
  };
  const tables: TableOutcome[] = [];

  if (options.dryRun) {
    for (const table of wanted) {
      const rows = extract.tables[table] ?? [];
      tables.push({
        table,
        extracted: rows.length + (rejectedBy.get(table) ?? 0),
        loaded: 0,
        rejected: rejectedBy.get(table) ?? 0,
        status: unavailable.has(table) ? 'unavailable' : 'skipped',
        ...(unavailable.has(table) ? { reason: unavailable.get(table)! } : { reason: 'dry run' }),
        ...(table === CURSOR_TABLE ? { watermarkBefore: cursorBefore, watermarkAfter: cursorBefore } : {}),
      });
    }
    notes.push(`dry run: ${count(extract.apiCalls, 'API call')}, nothing loaded, quarantined or advanced`);
    return { ...base, tables, notes };
  }

  progress({ phase: 'quarantine', done: 0, total: extract.rejected.length });
  const quarantined = extract.rejected.length
    ? await quarantine(
        store,
        extract.rejected
          .filter((r) => wanted.includes(r.table))
          .map((r) => ({ runId: options.runId, pipeline: name, table: r.table, reason: r.reason, payload: r.payload })),
      )
    : 0;

  progress({ phase: 'load', done: 0, total: wanted.length, note: 'opening the warehouse' });
  const warehouse = deps.openWarehouse
    ? await deps.openWarehouse(ctx.config)
    : await openMeteredWarehouse(ctx.config, store, { operation: 'etl.run', pipeline: name });
  let advanced = cursorBefore;
  try {
    const job = { labels: { pipeline: name }, signal };
    const defs = wanted.filter((t) => !unavailable.has(t)).map((t) => SPOTIFY_TABLES[t]);
    await warehouse.ensureTables(defs, job);
    for (const [i, table] of wanted.entries()) {
      throwIfAborted(signal);
      const rows = extract.tables[table] ?? [];
      const rejected = rejectedBy.get(table) ?? 0;
      const extracted = rows.length + rejected;
      if (unavailable.has(table)) {
        tables.push({ table, extracted, loaded: 0, rejected, status: 'unavailable', reason: unavailable.get(table)! });
        continue;
      }
      progress({ phase: 'load', done: i, total: wanted.length, note: `${table} (${rows.length} rows)` });
      const started = performance.now();
      try {
        const merged = await warehouse.upsert(loadDef(table), rows, job);
        const outcome: TableOutcome = {
          table,
          extracted,
          loaded: merged.inserted + merged.updated,
          rejected,
          status: 'ok',
          durationMs: Math.round(performance.now() - started),
        };
        if (table === CURSOR_TABLE) {
          // The MERGE has committed: only now may the cursor move past these plays.
          if (cursorAfter !== null && cursorAfter !== cursorBefore) {
            await setWatermark(store, {
              pipeline: name,
              table: CURSOR_TABLE,
              value: cursorAfter,
              type: 'number',
              runId: options.runId,
            });
            advanced = cursorAfter;
          }
          Object.assign(outcome, { watermarkBefore: cursorBefore, watermarkAfter: advanced });
        }
        tables.push(outcome);
      } catch (error) {
        if (error instanceof CancelledError || signal.aborted)
          throw withPartial(error, { ...base, quarantined, cursorAfter: advanced, tables, notes });
        tables.push({
          table,
          extracted,
          loaded: 0,
          rejected,
          status: 'failed',
          reason: errorMessage(error),
          durationMs: Math.round(performance.now() - started),
        });
        throw withPartial(
          new OperationFailed(`${name}: loading ${table} failed: ${errorMessage(error)}`, {
            hint: 'Tables loaded before it are committed; re-running is safe (loads merge on the key).',
            cause: error,
          }),
          { ...base, quarantined, cursorAfter: advanced, tables, notes },
        );
      }
    }
    progress({ phase: 'load', done: wanted.length, total: wanted.length });
  } finally {
    await warehouse.close();
  }
  return { ...base, quarantined, cursorAfter: advanced, tables, notes };
}

const PUBLISH_EVERY_MS = 1_000;

/**
 * Progress goes to the face that started the run and, at most once a second, into the run record's summary, so a
 * console in another process (the Runs pane while cron runs the pipeline) shows the phase live.
 */
function publishProgress(ctx: PipelineContext, store: StateStore, runId: number, base: Record<string, unknown>) {
  let last = 0;
  let pending: Promise<void> = Promise.resolve();
  return {
    report(p: PipelineProgress) {
      ctx.progress(p);
      const now = Date.now();
      if (now - last < PUBLISH_EVERY_MS) return;
      last = now;
      const summary = {
        ...base,
        progress: { phase: p.phase, done: p.done ?? null, total: p.total ?? null, note: p.note ?? null },
      };
      pending = pending.then(() => heartbeatRun(store, runId, summary)).catch(() => undefined);
    },
    flush: () => pending,
  };
}

/** A table as the pipeline loads it: a row whose only change is its extracted_at is not rewritten. */
function loadDef(table: SpotifyTableName): TableDef {
  return { ...SPOTIFY_TABLES[table], unchangedUnless: ['extracted_at'] };
}

/** Attaches what was done before a failure, so the run record keeps the per-table counts of the tables that loaded. */
function withPartial(error: unknown, outcome: SpotifyOutcome): unknown {
  if (error && typeof error === 'object') Object.assign(error, { partialOutcome: outcome });
  return error;
}

export const spotifyRunner: PipelineRunner = createSpotifyRunner();
