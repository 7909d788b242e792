import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { InputFor, OperationName, ResultFor } from '../../commands/catalog.js';
import type { Progress } from '../../commands/operation.js';
import { OpsError } from '../../src/errors.js';
import type { LogRecord } from '../../src/log/logger.js';
import { deserializeError, type EngineData, type FromEngine, type ToEngine } from './engine-protocol.js';
import type { InvokeOptions } from './services.js';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onProgress: ((p: Progress) => void) | undefined;
  detach: () => void;
}

export interface Engine {
  /** Runs an operation in the engine worker: progress, result and typed errors come back; aborting cancels it there. */
  run<N extends OperationName>(name: N, input: InputFor<N>, options?: InvokeOptions): Promise<ResultFor<N>>;
  /** Aborts what runs, closes the runtime in the worker (at most `timeoutMs`), then ends the worker. */
  close(timeoutMs: number): Promise<void>;
}

/**
 * The UI thread's side of the console's engine (engine-worker.ts): one worker thread owns the operations runtime, the
 * console's job service (jobs.ts) and the panes' read-only loads send it `{operation, input}` and get back progress
 * events, the result or the error. The Ink render loop only ever waits on messages, so no operation, however long
 * or synchronous (PGlite's WASM, a DuckDB scan), can hold a key press. The CLI does not use this: a one-shot command
 * has no screen to keep alive.
 *
 * A worker that dies (an out-of-memory, a crash in a native driver) fails the jobs it was running with that reason,
 * and the next operation starts a new one.
 */
export function startEngine(data: EngineData, options: { onLog?: (record: LogRecord) => void } = {}): Engine {
  // The worker is the sibling module, built beside this one (.js in dist; .ts when tests run the sources under tsx).
  const sources = extname(fileURLToPath(import.meta.url)) === '.ts';
  const workerUrl = new URL(`./engine-worker${sources ? '.ts' : '.js'}`, import.meta.url);
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let worker: Worker | undefined;
  let closing: Promise<void> | undefined;

  const failAll = (error: Error) => {
    for (const [id, p] of pending) {
      pending.delete(id);
      p.detach();
      p.reject(error);
    }
  };

  const spawn = (): Worker => {
    // A worker's entry module is loaded before the --import hooks it inherits run: under tsx the worker registers
    // tsx itself, then imports the entry.
    const w = sources
      ? new Worker(
          `import('tsx/esm/api').then((tsx) => tsx.register()).then(() => import(${JSON.stringify(workerUrl.href)}))`,
          { eval: true, workerData: data },
        )
      : new Worker(workerUrl, { workerData: data });
    w.on('message', (message: FromEngine) => {
      if (message.type === 'log') return options.onLog?.(message.record);
      if (message.type === 'closed') return;
      const p = pending.get(message.id);
      if (!p) return;
      if (message.type === 'progress') return p.onProgress?.(message.progress);
      pending.delete(message.id);
      p.detach();
      if (message.type === 'result') p.resolve(message.result);
      else p.reject(deserializeError(message.error));
    });
    w.on('error', (error) => {
      if (worker === w) worker = undefined;
      failAll(
        new OpsError(`the console's engine stopped: ${error.message}`, {
          hint: 'The next action starts it again; if this repeats, run the same command with the CLI to see it whole.',
          cause: error,
        }),
      );
    });
    w.on('exit', (code) => {
      if (worker === w) worker = undefined;
      if (pending.size) failAll(new OpsError(`the console's engine exited (code ${code})`));
    });
    return w;
  };

  const send = (message: ToEngine) => {
    worker ??= spawn();
    worker.postMessage(message);
  };

  return {
    run<N extends OperationName>(name: N, input: InputFor<N>, opts: InvokeOptions = {}): Promise<ResultFor<N>> {
      if (closing) return Promise.reject(new OpsError('the console is closing'));
      const id = nextId++;
      return new Promise<ResultFor<N>>((resolve, reject) => {
        const onAbort = () => worker?.postMessage({ type: 'cancel', id } satisfies ToEngine);
        opts.signal?.addEventListener('abort', onAbort, { once: true });
        pending.set(id, {
          resolve: resolve as (v: unknown) => void,
          reject,
          onProgress: opts.onProgress,
          detach: () => opts.signal?.removeEventListener('abort', onAbort),
        });
        send({ type: 'run', id, name, input });
        // Aborted before it started: the worker's invoke() sees an aborted signal and ends it `cancelled`.
        if (opts.signal?.aborted) onAbort();
      });
    },
    close(timeoutMs: number): Promise<void> {
      closing ??= (async () => {
        const w = worker;
        if (!w) return;
        const closed = new Promise<void>((resolve) => {
          w.on('message', (m: FromEngine) => m.type === 'closed' && resolve());
          w.once('exit', () => resolve());
        });
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
        w.postMessage({ type: 'close' } satisfies ToEngine);
        await Promise.race([closed, timeout]);
        clearTimeout(timer);
        worker = undefined;
        await w.terminate();
        failAll(new OpsError('the console closed'));
      })();
      return closing;
    },
  };
}
