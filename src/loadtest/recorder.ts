import { createHistogram, recordMs, summarize } from './histogram.js';
import type { EngineResult, ErrorKind, SecondSample } from './types.js';

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

/** Counts a run: status codes, errors by kind, the latency histogram and its per-second samples. */
export class Recorder {
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

  /** `timeoutMs`: the latency a timed-out request counts at when its engine cannot say (autocannon's reqError). */
  constructor(readonly timeoutMs?: number) {}

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

  /**
   * A request that got no answer. A timed-out one counts in the latency at its timeout (`latencyMs`, else the run's
   * timeout), as wrk2 and k6 count them: a server that never answers has a latency of at least the timeout, not none.
   */
  failure(counted: boolean, error: unknown, latencyMs?: number): void {
    if (!counted) {
      this.warmup++;
      return;
    }
    const kind = classifyError(error);
    const timedOutAt = kind === 'timeout' ? (latencyMs ?? this.timeoutMs) : undefined;
    if (timedOutAt !== undefined) recordMs(this.histogram, timedOutAt);
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
    const perSecond = (n: number) => Math.round((n / durationMs) * 1000 * 10) / 10;
    return {
      requests,
      responses: this.responses,
      durationMs: Math.round(durationMs),
      rps: perSecond(this.responses),
      sentRps: perSecond(requests),
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
