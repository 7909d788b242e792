import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { runLoad } from './engine.js';
import { runClosedAutocannon } from './engine-autocannon.js';
import { decodeHistogram } from './histogram.js';
import type { EnginePlan, EngineResult, LiveTick } from './types.js';

/**
 * The engine for a plan: the closed model on autocannon's client (the faster of the two in bench/loadtest.bench.mjs),
 * the open model on opsctl's undici engine (autocannon's rate limit measures from the actual send, so it cannot avoid
 * coordinated omission). autocannon's timeout has a one-second floor: shorter timeouts run on undici too.
 */
export function runPlan(plan: EnginePlan): Promise<EngineResult> {
  const { model } = plan;
  return model.kind === 'closed' && plan.timeoutMs >= 1000 ? runClosedAutocannon({ ...plan, model }) : runLoad(plan);
}

/**
 * Runs the engine in a worker thread when the compiled worker is there (the installed CLI, the console, the bot), so
 * the caller's own event loop (Ink rendering, chat handling) never skews the measurements; in-process otherwise (tests
 * that import the TypeScript sources).
 */
export async function runLoadIsolated(plan: EnginePlan): Promise<EngineResult> {
  const file = fileURLToPath(new URL('./worker.js', import.meta.url));
  if (!existsSync(file)) return runPlan(plan);
  const { signal, onTick, body, ...rest } = plan;
  const worker = new Worker(file, { workerData: { ...rest, ...(body ? { body: new Uint8Array(body) } : {}) } });
  const stop = () => worker.postMessage({ type: 'stop' });
  signal?.addEventListener('abort', stop, { once: true });
  try {
    return await new Promise<EngineResult>((resolve, reject) => {
      worker.on(
        'message',
        (
          m:
            | { type: 'tick'; tick: LiveTick }
            | { type: 'done'; result: Omit<EngineResult, 'histogram'>; histogram: string }
            | { type: 'error'; message: string },
        ) => {
          if (m.type === 'tick') onTick?.(m.tick);
          else if (m.type === 'done') resolve({ ...m.result, histogram: decodeHistogram(m.histogram) });
          else reject(new Error(m.message));
        },
      );
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the load-test worker exited (${code}) before it reported`)));
    });
  } finally {
    signal?.removeEventListener('abort', stop);
    await worker.terminate();
  }
}
