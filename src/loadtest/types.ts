import type { LatencyHistogram, LatencySummary } from './histogram.js';

/**
 * What a load engine is given and what it returns, whichever engine runs it: opsctl's own on undici (the open model in
 * open-model.ts, the closed model in closed-model.ts) or autocannon's client (engine-autocannon.ts).
 */
export type ClosedModel = { kind: 'closed'; connections: number; requests?: number; durationMs?: number };
export type OpenModel = { kind: 'open'; rate: number; connections: number; requests?: number; durationMs?: number };
export type LoadModel = ClosedModel | OpenModel;

/** One run for an engine; `M` narrows it to the model an engine runs. */
export interface EnginePlan<M extends LoadModel = LoadModel> {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: Buffer | undefined;
  /** Per request: waiting for the response headers, and between body chunks; also the connect timeout. */
  timeoutMs: number;
  model: M;
  warmupMs: number;
  signal?: AbortSignal | undefined;
  /** Called about every `tickMs` with the run so far (the live view). */
  onTick?: ((tick: LiveTick) => void) | undefined;
  tickMs?: number;
}

export const ERROR_KINDS = ['timeout', 'refused', 'reset', 'other'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface LiveTick {
  phase: 'warmup' | 'measure' | 'drain';
  elapsedMs: number;
  /** Planned length of the phase in ms, or planned requests, whichever bounds the run. */
  done: number;
  total: number;
  completed: number;
  /** Requests per second over the last second. */
  rps: number;
  /**
   * Measured seconds closed so far: `rps` changes when this does (ticks come about 4 times a second), so a face plots
   * one point per second by it, not one per tick.
   */
  seconds: number;
  latency: LatencySummary;
  errors: number;
  non2xx: number;
}

export interface SecondSample {
  /** Seconds since the measurement started (1 = the first second). */
  t: number;
  requests: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface EngineResult {
  /** Completed requests counted (answers of any status plus transport errors). */
  requests: number;
  /** Requests answered (any status). */
  responses: number;
  durationMs: number;
  /** Answered requests (any status) per second of the measured window. */
  rps: number;
  /** Requests finished per second, answered or not (transport errors and timeouts included). */
  sentRps: number;
  bytesRead: number;
  /** Over the answers plus the timed-out requests (at their timeout); all zero when neither happened. */
  latency: LatencySummary;
  histogram: LatencyHistogram;
  statusCodes: Record<string, number>;
  errors: Record<ErrorKind, number>;
  non2xx: number;
  /** One message per error kind seen, for the report. */
  errorSamples: Partial<Record<ErrorKind, string>>;
  warmupRequests: number;
  samples: SecondSample[];
  /** Open model: the rate actually sent (requests due per second); closed model: undefined. */
  sentRate?: number;
}
