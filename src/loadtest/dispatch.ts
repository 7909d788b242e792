import type { Client, Dispatcher } from 'undici';
import type { EnginePlan } from './types.js';

/**
 * One HTTP request on undici's low-level `dispatch` (no promise or stream per request), with a precise per-request
 * timeout: the hot path of opsctl's own engine, whichever load model drives it.
 */

/** Where a plan's requests go, what each one is, and how its sockets are opened. */
export interface Dispatch {
  origin: string;
  request: Dispatcher.DispatchOptions;
  client: Client.Options;
}

export function dispatchFor(plan: EnginePlan): Dispatch {
  const url = new URL(plan.url);
  return {
    origin: url.origin,
    request: {
      path: `${url.pathname}${url.search}`,
      method: plan.method,
      headers: plan.headers,
      body: plan.body ?? null,
      // A backstop only: Deadlines enforces the timeout precisely.
      headersTimeout: plan.timeoutMs + 2000,
      bodyTimeout: plan.timeoutMs + 2000,
      idempotent: false,
      blocking: false,
    },
    client: {
      pipelining: 1,
      connect: { timeout: plan.timeoutMs },
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 60_000,
    },
  };
}

interface Pending {
  deadline: number;
  expire(): void;
}

/**
 * Per-request timeouts, swept on one interval: undici's own headers/body timeouts run on coarse timers (about a second
 * of resolution), which would let a 100 ms timeout pass half a second.
 */
export class Deadlines {
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

export type Done = (error: unknown, status: number, bytes: number) => void;

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
export function send(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  deadlines: Deadlines,
  done: Done,
): void {
  dispatcher.dispatch(options, new RequestHandler(deadlines, done));
}
