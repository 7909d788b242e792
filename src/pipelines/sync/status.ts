import { listExecutions } from '../../state/execution-log.js';
import { listWatermarks } from '../../state/watermarks.js';
import type { StateStore } from '../../state/store.js';
import type { SyncTable } from './tables.js';
import { lagSeconds, windowStart } from './values.js';

/** A synced table as the faces show it: watermark, lag, last run, the next window. `watermarks.list` returns these. */
export interface SyncTableStatus {
  pipeline: string;
  table: string;
  target: string;
  incrementalColumn: string;
  type: 'date' | 'timestamp' | 'number' | 'text';
  lookbackDays: number;
  /** The watermark (largest incremental value committed), null before the first run or after a reset. */
  value: string | null;
  updatedAt: string | null;
  /** The next run reads rows whose incremental column is ≥ this (null: the whole source). */
  windowStart: string | null;
  /** now − watermark, in seconds (null: no watermark, or an integer column). */
  lagSeconds: number | null;
  /** max_lag in seconds, when configured. */
  limitSeconds: number | null;
  /** Lag beyond the limit: highlighted in the console, alerted by the bot. */
  lagging: boolean;
  lastRun: {
    runId: number | null;
    status: string;
    at: string;
    rowsExtracted: number;
    rowsLoaded: number;
    rowsRejected: number;
    error: string | null;
  } | null;
}

export async function tableStatuses(
  store: StateStore,
  tables: SyncTable[],
  now = new Date(),
): Promise<SyncTableStatus[]> {
  const pipelines = [...new Set(tables.map((t) => t.pipeline))];
  const marks = new Map<string, Awaited<ReturnType<typeof listWatermarks>>[number]>();
  for (const p of pipelines) for (const w of await listWatermarks(store, p)) marks.set(`${p}/${w.table}`, w);
  const out: SyncTableStatus[] = [];
  for (const t of tables) {
    const w = marks.get(`${t.pipeline}/${t.name}`);
    const value = w?.value ?? null;
    const last = (await listExecutions(store, { pipeline: t.pipeline, table: t.name, limit: 1 }))[0];
    const lag = lagSeconds(value, t.watermarkType, now);
    out.push({
      pipeline: t.pipeline,
      table: t.name,
      target: t.target,
      incrementalColumn: t.incremental,
      type: t.watermarkType,
      lookbackDays: t.lookbackDays,
      value,
      updatedAt: w?.updatedAt ?? null,
      windowStart: windowStart(value, t.watermarkType, t.lookbackDays),
      lagSeconds: lag,
      limitSeconds: t.limitSeconds,
      lagging: t.limitSeconds !== null && (value === null ? last !== undefined : lag !== null && lag > t.limitSeconds),
      lastRun: last
        ? {
            runId: last.runId,
            status: last.status,
            at: last.finishedAt ?? last.startedAt,
            rowsExtracted: last.rowsExtracted,
            rowsLoaded: last.rowsLoaded,
            rowsRejected: last.rowsRejected,
            error: last.error,
          }
        : null,
    });
  }
  return out;
}
