import type { Client, Dispatcher } from 'undici';
import { Deadlines, dispatchFor, send } from './dispatch.js';
import { summarize } from './histogram.js';
import { Recorder } from './recorder.js';
import type { EnginePlan, EngineResult, LiveTick, LoadModel } from './types.js';

/** What a load model adds to the shared run: how sending starts, and what it checks on each tick. */
export interface ModelHooks {
  /** Starts sending; the model calls `stop()` when it is done. */
  start(): void;
  /** Called first on every tick of the live view (the closed model starts measuring and stops on time here). */
  beforeTick?(now: number): void;
  /** Called once sending has stopped, before the requests in flight are awaited. */
  stopped?(): void;
}

/**
 * The part of a run both load models share: the warm-up and the measured window, the requests in flight, the
 * recorder, the live ticks and per-second samples, cancellation, and the drain of the requests still in flight at
 * the end. A model (open-model.ts, closed-model.ts) decides only when each request is sent and where its latency
 * starts.
 */
export class LoadRun<M extends LoadModel = LoadModel> {
  readonly rec: Recorder;
  readonly model: M;
  readonly dispatchers: Dispatcher[];
  readonly t0 = performance.now();
  phase: 'warmup' | 'measure';
  measureStart: number;
  /** When the measured window closes (Infinity for a run bounded by a request count only). */
  measureEnd: number;
  /** Measured requests sent so far. */
  issued = 0;
  stopped = false;
  /** When the newest measured answer (or error) arrived: the end of a closed run's measured time. */
  lastCompletion: number;
  private inFlight = 0;
  private resolveDrained: (() => void) | undefined;
  private resolveStopped: () => void = () => undefined;
  private readonly sendingDone = new Promise<void>((resolve) => (this.resolveStopped = resolve));
  private readonly deadlines: Deadlines;
  private readonly request: Dispatcher.DispatchOptions;
  private secondEnds: number;

  constructor(
    readonly plan: EnginePlan<M>,
    connect: (origin: string, options: Client.Options) => Dispatcher[],
  ) {
    this.model = plan.model;
    this.rec = new Recorder(plan.timeoutMs);
    if (!this.model.requests && !this.model.durationMs)
      throw new Error('a load run needs a request count or a duration');
    const dispatch = dispatchFor(plan);
    this.request = dispatch.request;
    this.dispatchers = connect(dispatch.origin, dispatch.client);
    this.deadlines = new Deadlines(plan.timeoutMs);
    this.phase = plan.warmupMs > 0 ? 'warmup' : 'measure';
    this.measureStart = this.phase === 'measure' ? this.t0 : this.t0 + plan.warmupMs;
    this.measureEnd = this.model.durationMs ? this.measureStart + this.model.durationMs : Infinity;
    this.lastCompletion = this.measureStart;
    this.secondEnds = this.measureStart + 1000;
  }

  /** Whether the measured part may still send at `now`: under the request count and inside the window. */
  withinBounds(now: number): boolean {
    return (!this.model.requests || this.issued < this.model.requests) && now < this.measureEnd;
  }

  /** Ends the warm-up: from `at` on, answers are counted and the window runs. */
  startMeasuring(at: number): void {
    if (this.phase === 'measure') return;
    this.phase = 'measure';
    this.measureStart = at;
    this.lastCompletion = at;
    this.measureEnd = this.model.durationMs ? at + this.model.durationMs : Infinity;
  }

  /** Stops sending (the model is done, or the run was cancelled); the requests in flight still finish. */
  stop(): void {
    this.stopped = true;
    this.resolveStopped();
  }

  /** Sends one request; its latency runs from `startedAt`; `then` runs after it is recorded. */
  send(dispatcher: Dispatcher, startedAt: number, then?: () => void): void {
    const counted = this.phase === 'measure';
    if (counted) this.issued++;
    this.inFlight++;
    send(dispatcher, this.request, this.deadlines, (error, status, bytes) => {
      this.inFlight--;
      const now = performance.now();
      if (counted) this.lastCompletion = now;
      if (error) this.rec.failure(counted, error, now - startedAt);
      else this.rec.response(counted, status, now - startedAt, bytes);
      if (this.inFlight === 0 && this.resolveDrained) this.resolveDrained();
      then?.();
    });
  }

  /** Runs the model until it stops, then waits for the requests in flight (at most one timeout) and closes the sockets. */
  async execute(hooks: ModelHooks): Promise<void> {
    const ticker = setInterval(() => this.tick(hooks), this.plan.tickMs ?? 250);
    const onAbort = () => this.stop();
    this.plan.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      hooks.start();
      await this.sendingDone;
      hooks.stopped?.();
      if (this.inFlight > 0) {
        await new Promise<void>((resolve) => {
          this.resolveDrained = resolve;
          setTimeout(resolve, this.plan.timeoutMs + 1000).unref();
        });
      }
    } finally {
      clearInterval(ticker);
      this.deadlines.stop();
      this.plan.signal?.removeEventListener('abort', onAbort);
      await Promise.all(this.dispatchers.map((d) => d.destroy().catch(() => undefined)));
    }
  }

  /** The recorded run over `durationMs` of measurement. */
  result(durationMs: number): EngineResult {
    return this.rec.result(durationMs);
  }

  /** The live view and the per-second samples. */
  private tick(hooks: ModelHooks): void {
    const now = performance.now();
    hooks.beforeTick?.(now);
    if (this.phase === 'measure') {
      if (this.secondEnds < this.measureStart + 1000) this.secondEnds = this.measureStart + 1000;
      while (now >= this.secondEnds && this.secondEnds <= this.measureEnd + 1000) {
        this.rec.closeSecond();
        this.secondEnds += 1000;
      }
    }
    if (!this.plan.onTick) return;
    const { model, rec } = this;
    const bounded = model.durationMs
      ? { done: Math.min(model.durationMs, now - this.measureStart), total: model.durationMs }
      : { done: rec.completed, total: model.requests ?? 0 };
    this.plan.onTick({
      phase: this.stopped ? 'drain' : this.phase,
      elapsedMs: now - this.t0,
      ...(this.phase === 'warmup' ? { done: now - this.t0, total: this.plan.warmupMs } : bounded),
      completed: rec.completed,
      rps: rec.lastRps,
      seconds: rec.samples.length,
      latency: summarize(rec.histogram),
      errors: rec.failures + rec.non2xx,
      non2xx: rec.non2xx,
    } satisfies LiveTick);
  }
}
