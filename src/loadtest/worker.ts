import { parentPort, workerData } from 'node:worker_threads';
import type { EnginePlan } from './types.js';
import { runPlan } from './threaded.js';
import { encodeHistogram } from './histogram.js';

/**
 * The engine in its own thread: the face that started the run (the console renders, the bot answers chats) cannot
 * delay the requests or their timestamps, and the live ticks cross over as messages.
 */
type WorkerPlan = Omit<EnginePlan, 'signal' | 'onTick' | 'body'> & { body?: Uint8Array };

const port = parentPort!;
const plan = workerData as WorkerPlan;
const controller = new AbortController();
port.on('message', (m: { type: string }) => {
  if (m.type === 'stop') controller.abort();
});
runPlan({
  ...plan,
  body: plan.body ? Buffer.from(plan.body) : undefined,
  signal: controller.signal,
  onTick: (tick) => port.postMessage({ type: 'tick', tick }),
})
  .then(({ histogram, ...result }) => port.postMessage({ type: 'done', result, histogram: encodeHistogram(histogram) }))
  .catch((error: unknown) => port.postMessage({ type: 'error', message: (error as Error).message ?? String(error) }));
