import { Client, type Dispatcher } from 'undici';
import { LoadRun } from './run-core.js';
import type { ClosedModel, EnginePlan, EngineResult } from './types.js';

/**
 * The closed model (like ab, autocannon) on opsctl's undici engine: `connections` sockets, each sends its next request
 * when the previous answer ends; latency is measured from the moment a request is sent. A warm-up runs first on the
 * same sockets and is not counted. (opsctl runs the closed model on autocannon's client unless the timeout is under a
 * second: see threaded.ts.)
 */
export async function runClosed(plan: EnginePlan<ClosedModel>): Promise<EngineResult> {
  const run = new LoadRun(plan, (origin, options) =>
    Array.from({ length: plan.model.connections }, () => new Client(origin, options)),
  );
  const wantsMore = (now: number) => !run.stopped && (run.phase === 'warmup' || run.withinBounds(now));

  const loop = (client: Dispatcher, next: () => void) => {
    const now = performance.now();
    if (run.phase === 'warmup' && now >= run.measureStart) run.startMeasuring(now);
    if (!wantsMore(now)) {
      if (run.phase === 'measure') run.stop();
      return;
    }
    run.send(client, now, next);
  };

  await run.execute({
    start() {
      for (const client of run.dispatchers) {
        const next = () => loop(client, next);
        next();
      }
    },
    // A duration-bound run ends on time even while every connection waits for a slow answer.
    beforeTick(now) {
      if (run.phase === 'warmup' && now >= run.measureStart) run.startMeasuring(now);
      if (run.phase === 'measure' && !wantsMore(now)) run.stop();
    },
  });
  return run.result(Math.max(1, run.lastCompletion - run.measureStart));
}
