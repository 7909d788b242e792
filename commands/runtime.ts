import type { LoadedConfig } from '../src/config/load.js';
import type { Logger } from '../src/log/logger.js';
import type { RunTrigger } from '../src/state/runs.js';
import type { StateStore } from '../src/state/store.js';
import type { OperationContext, Progress } from './operation.js';

export interface RuntimeOptions {
  loaded: LoadedConfig;
  log: Logger;
  trigger: RunTrigger;
  signal?: AbortSignal;
  progress?: (progress: Progress) => void;
}

export interface Runtime extends OperationContext {
  /** Closes what the invocation opened (the state store). */
  close(): Promise<void>;
}

/** Builds the context an operation runs in. The state store opens lazily: `config show` never touches it. */
export function createRuntime(options: RuntimeOptions): Runtime {
  let statePromise: Promise<StateStore> | undefined;
  const progress = options.progress ?? (() => undefined);
  return {
    config: options.loaded.config,
    loaded: options.loaded,
    log: options.log,
    trigger: options.trigger,
    signal: options.signal ?? new AbortController().signal,
    progress,
    state() {
      statePromise ??= import('../src/state/open.js').then((m) => m.openStateStore(options.loaded.config.state.url));
      // A failed open is not cached, so a face that retries (the console's refresh) can recover.
      statePromise.catch(() => (statePromise = undefined));
      return statePromise;
    },
    async close() {
      if (!statePromise) return;
      const store = await statePromise.catch(() => undefined);
      statePromise = undefined;
      await store?.close();
    },
  };
}

/** The same runtime with other progress and cancellation, for one operation started from a long-lived face. */
export function withInvocation(
  runtime: Runtime,
  overrides: { progress?: (p: Progress) => void; signal?: AbortSignal; log?: Logger },
): Runtime {
  return {
    ...runtime,
    ...(overrides.progress ? { progress: overrides.progress } : {}),
    ...(overrides.signal ? { signal: overrides.signal } : {}),
    ...(overrides.log ? { log: overrides.log } : {}),
    state: runtime.state,
    close: runtime.close,
  };
}
