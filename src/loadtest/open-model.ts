import { Pool } from 'undici';
import { LoadRun } from './run-core.js';
import type { EnginePlan, EngineResult, OpenModel } from './types.js';

/**
 * The open model (like wrk2, k6's constant-arrival-rate): request i of a phase is due at phaseStart + i / rate whatever
 * the server does, and its latency is measured from that due time, so requests that queue behind a stalled server carry
 * the stall (no coordinated omission). `connections` caps the sockets; requests beyond them wait in the pool and the
 * wait counts. Late requests are sent at once. A warm-up at the same rate runs first and is not counted.
 */
export async function runOpen(plan: EnginePlan<OpenModel>): Promise<EngineResult> {
  const { model } = plan;
  const run = new LoadRun(plan, (origin, options) => [
    new Pool(origin, { ...options, connections: model.connections }),
  ]);
  const pool = run.dispatchers[0]!;
  const interval = 1000 / model.rate;
  let phaseStart = run.t0;
  let dueIndex = 0;
  let timer: NodeJS.Timeout | undefined;
  const requestsDone = () => Boolean(model.requests && run.issued >= model.requests);

  const tick = () => {
    timer = undefined;
    const now = performance.now();
    if (run.phase === 'warmup' && now >= run.measureStart) {
      run.startMeasuring(run.measureStart);
      phaseStart = run.measureStart;
      dueIndex = 0;
    }
    while (!run.stopped) {
      const due = phaseStart + dueIndex * interval;
      if (due > now) break;
      if (run.phase === 'measure' && (requestsDone() || due >= run.measureEnd)) break;
      if (run.phase === 'warmup' && due >= run.measureStart) break;
      dueIndex++;
      run.send(pool, due);
    }
    if (run.phase === 'measure' && (requestsDone() || phaseStart + dueIndex * interval >= run.measureEnd)) {
      run.stop();
      return;
    }
    if (run.stopped) return;
    const next = phaseStart + dueIndex * interval;
    timer = setTimeout(tick, Math.max(0, Math.min(next - performance.now(), 50)));
  };

  await run.execute({
    start: tick,
    stopped() {
      if (timer) clearTimeout(timer);
    },
  });
  // The window is the planned one even when the last answers came early; the rate is what was actually sent in it.
  const end = model.durationMs ? Math.max(run.lastCompletion, run.measureEnd) : run.lastCompletion;
  const sentOver = Math.max(1, Math.min(run.measureEnd, performance.now()) - run.measureStart);
  return {
    ...run.result(Math.max(1, end - run.measureStart)),
    sentRate: Math.round((run.issued / sentOver) * 1000 * 10) / 10,
  };
}
