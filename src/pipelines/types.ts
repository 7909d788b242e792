import type { Config } from '../config/load.js';
import type { Logger } from '../log/logger.js';
import type { RunTrigger } from '../state/runs.js';
import type { StateStore } from '../state/store.js';

export type PipelineConfig = Config['pipelines'][string];
export type PipelineKind = PipelineConfig['kind'];

/** What one table did in a pipeline run: the per-table counts the runs pane and `etl show` print. */
export interface TableOutcome {
  table: string;
  extracted: number;
  loaded: number;
  rejected: number;
  /** `unavailable`: the source refused it (e.g. Spotify's 403 on audio features) and the run went on. */
  status: 'ok' | 'unavailable' | 'failed' | 'skipped';
  reason?: string;
  watermarkBefore?: string | null;
  watermarkAfter?: string | null;
  durationMs?: number;
}

export interface PipelineOutcome {
  tables: TableOutcome[];
  /** Things the operator should read in the summary (unavailable tables, quarantined rows…). */
  notes: string[];
}

export interface PipelineRunOptions {
  dryRun: boolean;
  /** Ignore watermarks and reload the whole window (sync). */
  force?: boolean;
  /** Only these tables, where the kind has several. */
  tables?: string[];
  /** The run row this execution belongs to (state store `runs.id`). */
  runId: number;
}

/** A step of a run, as the face that started it shows it (a phase, how far, a note). */
export interface PipelineProgress {
  phase: string;
  done?: number;
  total?: number;
  note?: string;
}

/**
 * What a pipeline needs from whoever started it: the config, a log, cancellation, progress and the state store.
 * An operation's context (commands/operation.ts) is one, so `etl run` and `sync run` pass theirs; the engine itself
 * never depends on the capability layer.
 */
export interface PipelineContext {
  config: Config;
  log: Logger;
  signal: AbortSignal;
  progress(progress: PipelineProgress): void;
  /** The state store, opened on first use and shared with the rest of the invocation. */
  state(): Promise<StateStore>;
  /** Who asked: recorded on the run. */
  trigger: RunTrigger;
}

/**
 * Runs one configured pipeline of its kind. `etl run` takes the per-pipeline lock, records the run and calls this;
 * the runner extracts, validates, quarantines and loads, reporting progress through ctx.progress. A runner throws
 * when the pipeline as a whole failed; partial trouble (a quarantined row, an unavailable table) is in the outcome.
 */
export type PipelineRunner = (
  ctx: PipelineContext,
  name: string,
  pipeline: PipelineConfig,
  options: PipelineRunOptions,
) => Promise<PipelineOutcome>;
