// A separate OS process that starts a pipeline run and holds its lock until it is killed (kill -9 in the tests).
import { openStateStore } from '../../src/state/open.js';
import { acquireLockOrThrow } from '../../src/state/locks.js';
import { startRun } from '../../src/state/runs.js';

const [url, pipeline, operation = 'etl.run'] = process.argv.slice(2);
const store = await openStateStore(url!);
const run = await startRun(store, { operation, pipeline: pipeline!, trigger: 'cron' });
await acquireLockOrThrow(store, `pipeline:${pipeline}`, { operation, runId: run.id });
process.stdout.write(`holding ${run.id}\n`);
setInterval(() => undefined, 60_000);
