// The console's engine: a worker thread that owns the operations runtime, so no operation runs on the UI thread.
// PGlite runs PostgreSQL as WASM on the thread that opened it (a 5 s statement held the whole console for 5 s), and
// DuckDB, SQLite and the sync's CSV work are synchronous in places. One worker, not a process per job: PGlite serves
// one process, so every job that opens the embedded target must run where its lock is held; one runtime also keeps the
// state store and the health cache open across jobs. See engine.ts for the UI side.
import { parentPort, workerData } from 'node:worker_threads';
import { run, isOperationName } from '../../commands/catalog.js';
import { createRuntime, withInvocation } from '../../commands/runtime.js';
import { registerSecrets } from '../../src/config/secrets.js';
import { closeKeptPglite, keepPgliteOpen } from '../../src/db/pglite.js';
import { NotFoundError } from '../../src/errors.js';
import { createLogger } from '../../src/log/logger.js';
import { redactor } from '../../src/log/redact.js';
import { cloneable, serializeError, type EngineData, type FromEngine, type ToEngine } from './engine-protocol.js';

const port = parentPort;
if (!port) throw new Error('engine-worker.ts runs as a worker thread (views/services/engine.ts starts it)');
const data = workerData as EngineData;

/** Posts a message; one that structured clone refuses (a function in a result) goes as its JSON form instead. */
function post(message: FromEngine): void {
  try {
    port!.postMessage(message);
  } catch {
    port!.postMessage(cloneable(message));
  }
}

// Module state is per thread: the secrets the UI thread registered when it loaded the config are registered again here.
registerSecrets(redactor, data.loaded.config, data.loaded.env);
const log = createLogger({ level: data.logLevel, sink: (record) => post({ type: 'log', record }) });
const runtime = createRuntime({ loaded: data.loaded, log, trigger: data.trigger });
// An embedded PGlite target is booted once and kept for the next job or refresh (src/db/pglite.ts), for as long as
// the Migrations pane re-reads it (every 60 s) and a little more; then it is closed and other processes may open it.
const PGLITE_IDLE_MS = 90_000;
keepPgliteOpen({
  idleMs: PGLITE_IDLE_MS,
  purpose: `the opsctl console (kept open ${PGLITE_IDLE_MS / 1000} s after use)`,
});
const running = new Map<number, { controller: AbortController; settled: Promise<void> }>();

async function start(id: number, name: string, input: unknown, controller: AbortController): Promise<void> {
  try {
    if (!isOperationName(name)) {
      throw new NotFoundError(`operation "${name}" is not part of opsctl`, {
        hint: 'A bug in the console: report it.',
      });
    }
    const ctx = withInvocation(runtime, {
      signal: controller.signal,
      progress: (progress) => post({ type: 'progress', id, progress }),
    });
    const result = await run(name, ctx, input as never);
    post({ type: 'result', id, result });
  } catch (error) {
    post({ type: 'error', id, error: serializeError(error) });
  }
}

async function close(): Promise<void> {
  for (const { controller } of running.values()) controller.abort();
  await Promise.all([...running.values()].map((r) => r.settled));
  await runtime.close().catch(() => undefined);
  await closeKeptPglite().catch(() => undefined);
  post({ type: 'closed' });
}

port.on('message', (message: ToEngine) => {
  switch (message.type) {
    case 'run': {
      const controller = new AbortController();
      const settled = start(message.id, message.name, message.input, controller).finally(() =>
        running.delete(message.id),
      );
      running.set(message.id, { controller, settled });
      break;
    }
    case 'cancel':
      running.get(message.id)?.controller.abort();
      break;
    case 'close':
      void close();
      break;
  }
});
