import type { TableOutcome } from '../../src/pipelines/types.js';
import type { Run, RunState } from '../../src/state/runs.js';

/** One pipeline run as the history, the Runs pane and the bot list it: the run record plus its row totals. */
export interface RunListItem {
  id: number;
  pipeline: string;
  /** The pipeline kind recorded when the run started (spotify, sync), null for runs recorded without one. */
  kind: string | null;
  operation: string;
  /** Stored status, or `orphaned`: stored as running but its process is provably gone (see orphanReason). */
  status: RunState;
  orphanReason: string | null;
  trigger: string;
  host: string;
  pid: number;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  dryRun: boolean;
  rowsExtracted: number;
  rowsLoaded: number;
  rowsRejected: number;
  /** Tables the source refused (Spotify's 403 on audio features). */
  unavailable: string[];
  error: string | null;
  /** A running run's latest phase, as its process last published it (another process's run included). */
  progress: { phase: string; done: number | null; total: number | null; note: string | null } | null;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The per-table outcomes a run's summary carries (written by executePipeline), or none. */
export function summaryTables(run: Run): TableOutcome[] {
  const tables = isRecord(run.summary) ? run.summary.tables : undefined;
  return Array.isArray(tables) ? (tables.filter(isRecord) as unknown as TableOutcome[]) : [];
}

export function toRunListItem(run: Run): RunListItem {
  const summary = isRecord(run.summary) ? run.summary : {};
  const tables = summaryTables(run);
  const sum = (k: 'extracted' | 'loaded' | 'rejected') => tables.reduce((n, t) => n + (Number(t[k]) || 0), 0);
  return {
    id: run.id,
    pipeline: run.pipeline ?? run.operation,
    kind: typeof summary.kind === 'string' ? summary.kind : null,
    operation: run.operation,
    status: run.status,
    orphanReason: run.orphanReason,
    trigger: run.trigger,
    host: run.host,
    pid: run.pid,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    durationMs: run.durationMs,
    dryRun: summary.dryRun === true,
    rowsExtracted: sum('extracted'),
    rowsLoaded: sum('loaded'),
    rowsRejected: sum('rejected'),
    unavailable: tables.filter((t) => t.status === 'unavailable').map((t) => t.table),
    error: run.error,
    progress:
      run.status === 'running' && isRecord(summary.progress) && typeof summary.progress.phase === 'string'
        ? (summary.progress as unknown as NonNullable<RunListItem['progress']>)
        : null,
  };
}
