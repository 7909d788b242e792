import { Client, Pool, type Dispatcher } from 'undici';
import { createHistogram, recordMs, summarize, type LatencyHistogram, type LatencySummary } from './histogram.js';

/**
 * opsctl's load generator, on undici's low-level `dispatch` (no promise or stream per request).
 *
 * - closed model (like ab, autocannon): `connections` sockets, each sends its next request when the previous answer
 *   ends; latency is measured from the moment a request is sent.
 * - open model (like wrk2, k6's constant-arrival-rate): request i is due at start + i / rate whatever the server does;
 *   latency is measured from that intended send time, so requests that queue behind a stalled server carry the stall
 *   (no coordinated omission). `connections` caps the sockets; requests beyond them wait in the pool and the wait counts.
 *
 * A warm-up runs first, on the same sockets, and is not counted. Every run is bounded by a request count or a duration.
 */
export type LoadModel =
  | { kind: 'closed'; connections: number; requests?: number; durationMs?: number }
  | { kind: 'open'; rate: number; connections: number; requests?: number; durationMs?: number };

export interface EnginePlan {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: Buffer | undefined;
  /** Per request: waiting for the response headers, and between body chunks; also the connect timeout. */
  timeoutMs: number;
  model: LoadModel;
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
  rps: number;
  bytesRead: number;
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

const CONNECTION_CODES: Record<string, ErrorKind> = {
  ECONNREFUSED: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  UND_ERR_SOCKET: 'reset',
  UND_ERR_CLOSED: 'reset',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  ETIMEDOUT: 'timeout',
};

export function classifyError(error: unknown): ErrorKind {
  if (/timed out/i.test((error as Error)?.message ?? '')) return 'timeout';
  let e: unknown = error;
  for (let depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: string }).code;
    if (code && CONNECTION_CODES[code]) return CONNECTION_CODES[code];
    e = (e as { cause?: unknown }).cause;
  }
  return 'other';
}

export function describeError(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.code ?? e?.cause?.code;
  const message = e?.message || e?.cause?.message || String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

export class Recorder {
  counting = false;
  histogram = createHistogram();
  /** The overall histogram as it was when the current second began: a second's latencies are the difference. */
  private secondStart = createHistogram();
  statusCodes: Record<string, number> = {};
  errors: Record<ErrorKind, number> = { timeout: 0, refused: 0, reset: 0, other: 0 };
  errorSamples: Partial<Record<ErrorKind, string>> = {};
  responses = 0;
  failures = 0;
  non2xx = 0;
  bytesRead = 0;
  warmup = 0;
  secondRequests = 0;
  secondErrors = 0;
  samples: SecondSample[] = [];
  lastRps = 0;

  response(counted: boolean, status: number, latencyMs: number, bytes: number): void {
    if (!counted) {
      this.warmup++;
      return;
    }
    this.responses++;
    this.bytesRead += bytes;
    this.statusCodes[status] = (this.statusCodes[status] ?? 0) + 1;
    // One record per response: the per-second percentiles come from a subtraction once a second (see closeSecond).
    recordMs(this.histogram, latencyMs);
    this.secondRequests++;
    if (status < 200 || status > 299) {
      this.non2xx++;
      this.secondErrors++;
    }
  }

  failure(counted: boolean, error: unknown): void {
    if (!counted) {
      this.warmup++;
      return;
    }
    const kind = classifyError(error);
    this.errors[kind]++;
    this.failures++;
    this.errorSamples[kind] ??= describeError(error);
    this.secondRequests++;
    this.secondErrors++;
  }

  closeSecond(): void {
    const second = createHistogram();
    second.add(this.histogram);
    second.subtract(this.secondStart);
    this.secondStart.add(second);
    const s = summarize(second);
    this.samples.push({
      t: this.samples.length + 1,
      requests: this.secondRequests,
      errors: this.secondErrors,
      p50: s.p50,
      p95: s.p95,
      p99: s.p99,
    });
    this.lastRps = this.secondRequests;
    this.secondRequests = 0;
    this.secondErrors = 0;
  }

  get completed(): number {
    return this.responses + this.failures;
  }

  /** The run's result over `durationMs` of measurement; the last partial second counts if it has anything in it. */
  result(durationMs: number): EngineResult {
    if (this.secondRequests > 0) this.closeSecond();
    const requests = this.completed;
    return {
      requests,
      responses: this.responses,
      durationMs: Math.round(durationMs),
      rps: Math.round((requests / durationMs) * 1000 * 10) / 10,
      bytesRead: this.bytesRead,
      latency: summarize(this.histogram),
      histogram: this.histogram,
      statusCodes: this.statusCodes,
      errors: this.errors,
      non2xx: this.non2xx,
      errorSamples: this.errorSamples,
      warmupRequests: this.warmup,
      samples: this.samples,
    };
  }
}

interface Target {
  origin: string;
  path: string;
}

function target(url: string): Target {
  const u = new URL(url);
  return { origin: u.origin, path: `${u.pathname}${u.search}` };
}

interface Pending {
  deadline: number;
  expire(): void;
}

/**
 * Per-request timeouts, swept on one interval: undici's own headers/body timeouts run on coarse timers (about a second
 * of resolution), which would let a 100 ms timeout pass half a second.
 */
class Deadlines {
  readonly pending = new Set<Pending>();
  private timer: NodeJS.Timeout;

  constructor(readonly timeoutMs: number) {
    this.timer = setInterval(() => this.sweep(), Math.max(5, Math.min(100, Math.round(timeoutMs / 20))));
  }

  sweep(): void {
    const now = performance.now();
    for (const p of this.pending) if (p.deadline <= now) p.expire();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

function timeoutError(ms: number): Error {
  return Object.assign(new Error(`no complete answer within ${ms} ms`), { code: 'ETIMEDOUT' });
}

type Done = (error: unknown, status: number, bytes: number) => void;

/**
 * One request's dispatch handler. A class rather than an object of closures: one allocation per request, and a shape
 * V8 keeps monomorphic on the hot path.
 */
class RequestHandler implements Dispatcher.DispatchHandler, Pending {
  status = 0;
  bytes = 0;
  finished = false;
  deadline: number;
  controller: Dispatcher.DispatchController | undefined = undefined;

  constructor(
    private readonly deadlines: Deadlines,
    private readonly done: Done,
  ) {
    this.deadline = performance.now() + deadlines.timeoutMs;
    deadlines.pending.add(this);
  }

  expire(): void {
    const error = timeoutError(this.deadlines.timeoutMs);
    this.controller?.abort(error);
    this.finish(error);
  }

  finish(error: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.deadlines.pending.delete(this);
    this.done(error, this.status, this.bytes);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.finished) controller.abort(timeoutError(this.deadlines.timeoutMs));
    else this.controller = controller;
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.bytes += chunk.length;
  }

  onResponseEnd(): void {
    this.finish(null);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.finish(error);
  }
}

/** Sends one request through `dispatcher`; `done` gets the status (or an error) and the body size. */
function send(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions, deadlines: Deadlines, done: Done): void {
  dispatcher.dispatch(options, new RequestHandler(deadlines, done));
}

export async function runLoad(plan: EnginePlan): Promise<EngineResult> {
  const { origin, path } = target(plan.url);
  const model = plan.model;
  if (!model.requests && !model.durationMs) throw new Error('a load run needs a request count or a duration');
  const dispatchOptions: Dispatcher.DispatchOptions = {
    path,
    method: plan.method as Dispatcher.HttpMethod,
    headers: plan.headers,
    body: plan.body ?? null,
    // A backstop only: Deadlines enforces the timeout precisely.
    headersTimeout: plan.timeoutMs + 2000,
    bodyTimeout: plan.timeoutMs + 2000,
    idempotent: false,
    blocking: false,
  };
  const clientOptions = {
    pipelining: 1,
    connect: { timeout: plan.timeoutMs },
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 60_000,
  };
  const dispatchers: Dispatcher[] =
    model.kind === 'closed'
      ? Array.from({ length: model.connections }, () => new Client(origin, clientOptions))
      : [new Pool(origin, { ...clientOptions, connections: model.connections })];

  const rec = new Recorder();
  const deadlines = new Deadlines(plan.timeoutMs);
  rec.counting = plan.warmupMs <= 0;
  let phase: LiveTick['phase'] = plan.warmupMs > 0 ? 'warmup' : 'measure';
  const t0 = performance.now();
  let measureStart = phase === 'measure' ? t0 : t0 + plan.warmupMs;
  let measureEnd = model.durationMs ? measureStart + model.durationMs : Infinity;
  let issued = 0;
  let inFlight = 0;
  let lastCompletion = measureStart;
  let stopped = false;
  let resolveDrained: (() => void) | undefined;

  const complete = (counted: boolean, error: unknown, status: number, bytes: number, startedAt: number) => {
    inFlight--;
    const now = performance.now();
    if (counted) lastCompletion = now;
    if (error) rec.failure(counted, error);
    else rec.response(counted, status, now - startedAt, bytes);
    if (inFlight === 0 && resolveDrained) resolveDrained();
  };

  const wantsMore = (now: number) =>
    !stopped && (phase === 'warmup' || ((!model.requests || issued < model.requests) && now < measureEnd));

  // Closed model: each connection sends its next request when its previous one ends.
  const loop = (client: Dispatcher) => {
    const now = performance.now();
    if (phase === 'warmup' && now >= measureStart) startMeasuring(now);
    if (!wantsMore(now)) {
      if (phase === 'measure') stopSending();
      return;
    }
    const counted = phase === 'measure';
    if (counted) issued++;
    inFlight++;
    send(client, dispatchOptions, deadlines, (error, status, bytes) => {
      complete(counted, error, status, bytes, now);
      loop(client);
    });
  };

  const startMeasuring = (now: number) => {
    if (phase === 'measure') return;
    phase = 'measure';
    measureStart = now;
    lastCompletion = now;
    measureEnd = model.durationMs ? now + model.durationMs : Infinity;
    rec.counting = true;
  };

  // Open model: request i of a phase is due at phaseStart + i / rate; late requests are sent at once and their
  // latency starts at the due time.
  let openTimer: NodeJS.Timeout | undefined;
  const interval = model.kind === 'open' ? 1000 / model.rate : 0;
  let phaseStart = t0;
  let dueIndex = 0;
  const openTick = () => {
    openTimer = undefined;
    const now = performance.now();
    if (phase === 'warmup' && now >= measureStart) {
      startMeasuring(measureStart);
      phaseStart = measureStart;
      dueIndex = 0;
    }
    while (!stopped) {
      const due = phaseStart + dueIndex * interval;
      if (due > now) break;
      if (phase === 'measure' && ((model.requests && issued >= model.requests) || due >= measureEnd)) break;
      if (phase === 'warmup' && due >= measureStart) break;
      dueIndex++;
      const counted = phase === 'measure';
      if (counted) issued++;
      inFlight++;
      send(dispatchers[0]!, dispatchOptions, deadlines, (error, status, bytes) =>
        complete(counted, error, status, bytes, due),
      );
    }
    const finished =
      phase === 'measure' &&
      ((model.requests && issued >= model.requests) || phaseStart + dueIndex * interval >= measureEnd);
    if (finished) {
      stopSending();
      return;
    }
    if (stopped) return;
    const next = phaseStart + dueIndex * interval;
    openTimer = setTimeout(openTick, Math.max(0, Math.min(next - performance.now(), 50)));
  };

  let stopSending: () => void = () => undefined;
  const sendingDone = new Promise<void>((resolve) => {
    stopSending = () => {
      stopped = true;
      resolve();
    };
  });

  // The live view and per-second samples; also ends duration-bound closed runs on time.
  let secondEnds = measureStart + 1000;
  const tickMs = plan.tickMs ?? 250;
  const ticker = setInterval(() => {
    const now = performance.now();
    if (phase === 'warmup' && now >= measureStart && model.kind === 'closed') startMeasuring(now);
    if (phase === 'measure' && rec.counting) {
      if (secondEnds < measureStart + 1000) secondEnds = measureStart + 1000;
      while (now >= secondEnds && secondEnds <= measureEnd + 1000) {
        rec.closeSecond();
        secondEnds += 1000;
      }
    }
    if (model.kind === 'closed' && phase === 'measure' && !wantsMore(now)) stopSending();
    if (plan.onTick) {
      const bounded = model.durationMs
        ? { done: Math.min(model.durationMs, now - measureStart), total: model.durationMs }
        : { done: rec.completed, total: model.requests ?? 0 };
      plan.onTick({
        phase: stopped ? 'drain' : phase,
        elapsedMs: now - t0,
        ...(phase === 'warmup' ? { done: now - t0, total: plan.warmupMs } : bounded),
        completed: rec.completed,
        rps: rec.lastRps,
        latency: summarize(rec.histogram),
        errors: rec.failures + rec.non2xx,
        non2xx: rec.non2xx,
      });
    }
  }, tickMs);

  const onAbort = () => stopSending();
  plan.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (model.kind === 'closed') {
      for (const client of dispatchers) loop(client);
    } else {
      openTick();
    }
    await sendingDone;
    if (openTimer) clearTimeout(openTimer);
    // Wait for the requests still in flight (they are part of the run), at most one timeout.
    if (inFlight > 0) {
      await new Promise<void>((resolve) => {
        resolveDrained = resolve;
        setTimeout(resolve, plan.timeoutMs + 1000).unref();
      });
    }
  } finally {
    clearInterval(ticker);
    deadlines.stop();
    plan.signal?.removeEventListener('abort', onAbort);
    await Promise.all(dispatchers.map((d) => d.destroy().catch(() => undefined)));
  }

  const durationMs = Math.max(
    1,
    (model.kind === 'open' && model.durationMs ? Math.max(lastCompletion, measureEnd) : lastCompletion) - measureStart,
  );
  return {
    ...rec.result(durationMs),
    ...(model.kind === 'open'
      ? {
          sentRate:
            Math.round((issued / Math.max(1, Math.min(measureEnd, performance.now()) - measureStart)) * 1000 * 10) / 10,
        }
      : {}),
  };
}
