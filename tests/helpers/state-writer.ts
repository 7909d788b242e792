// A separate OS process that writes runs into a state store: the concurrency test starts several at once.
import { openStateStore } from '../../src/state/open.js';
import { finishRun, startRun } from '../../src/state/runs.js';
import { acquireLock, releaseLock } from '../../src/state/locks.js';

const [url, countArg, tag, mode] = process.argv.slice(2);
const store = await openStateStore(url!);
let held = 0;
for (let i = 0; i < Number(countArg); i++) {
  const run = await startRun(store, { operation: 'concurrency', pipeline: tag! });
  await finishRun(store, run.id, { status: 'succeeded', summary: { i, tag } });
  if (mode === 'locks') {
    const r = await acquireLock(store, 'shared');
    if (r.acquired) {
      held++;
      await releaseLock(store, 'shared');
    }
  }
}
await store.close();
process.stdout.write(JSON.stringify({ held }));
