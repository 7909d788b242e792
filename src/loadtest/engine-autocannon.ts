import autocannon from 'autocannon';
import { summarize } from './histogram.js';
import { Recorder } from './recorder.js';
import type { ClosedModel, EnginePlan, EngineResult } from './types.js';

/**
 * The closed model on autocannon's HTTP client (pre-serialised requests on raw sockets: about half the CPU per request
 * of undici's dispatch, measured by bench/loadtest.bench.mjs). opsctl keeps its own accounting: every response event
 * goes into opsctl's HDR histogram (autocannon reports no p95), its status-code table and errors by kind. The warm-up
 * is a separate autocannon run on the same connection count whose answers are not counted.
 */
export async function runClosedAutocannon(plan: EnginePlan<ClosedModel>): Promise<EngineResult> {
  const model = plan.model;
  const rec = new Recorder(plan.timeoutMs);
  const base = {
    url: plan.url,
    method: plan.method,
    headers: plan.headers,
    ...(plan.body ? { body: plan.body } : {}),
    // autocannon splits `amount` across connections and refuses more connections than requests.
    connections: model.requests ? Math.min(model.connections, model.requests) : model.connections,
    pipelining: 1,
    timeout: plan.timeoutMs / 1000,
  };
  const t0 = performance.now();
  const run = (options: Parameters<typeof autocannon>[0], counted: boolean) =>
    new Promise<void>((resolve, reject) => {
      const instance = autocannon(options, (error) => (error ? reject(error) : resolve()));
      instance.on('response', (_client: unknown, status: number, bytes: number, ms: number) =>
        rec.response(counted, status, ms, bytes),
      );
      instance.on('reqError', (error: Error) => rec.failure(counted, error));
      const stop = () => instance.stop();
      plan.signal?.addEventListener('abort', stop, { once: true });
      instance.once('done', () => plan.signal?.removeEventListener('abort', stop));
    });

  if (plan.warmupMs > 0 && !plan.signal?.aborted) {
    const ticker = setInterval(
      () =>
        plan.onTick?.({
          phase: 'warmup',
          elapsedMs: performance.now() - t0,
          done: performance.now() - t0,
          total: plan.warmupMs,
          completed: 0,
          rps: 0,
          seconds: 0,
          latency: summarize(rec.histogram),
          errors: 0,
          non2xx: 0,
        }),
      plan.tickMs ?? 250,
    );
    try {
      await run({ ...base, duration: plan.warmupMs / 1000 }, false);
    } finally {
      clearInterval(ticker);
    }
  }

  const start = performance.now();
  let secondEnds = start + 1000;
  const ticker = setInterval(() => {
    const now = performance.now();
    while (now >= secondEnds) {
      rec.closeSecond();
      secondEnds += 1000;
    }
    plan.onTick?.({
      phase: 'measure',
      elapsedMs: now - t0,
      ...(model.durationMs
        ? { done: Math.min(model.durationMs, now - start), total: model.durationMs }
        : { done: rec.completed, total: model.requests ?? 0 }),
      completed: rec.completed,
      rps: rec.lastRps,
      seconds: rec.samples.length,
      latency: summarize(rec.histogram),
      errors: rec.failures + rec.non2xx,
      non2xx: rec.non2xx,
    });
  }, plan.tickMs ?? 250);
  try {
    if (!plan.signal?.aborted) {
      await run(
        {
          ...base,
          ...(model.requests ? { amount: model.requests } : { duration: (model.durationMs ?? 10_000) / 1000 }),
        },
        true,
      );
    }
  } finally {
    clearInterval(ticker);
  }
  return rec.result(Math.max(1, performance.now() - start));
}
