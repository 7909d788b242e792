import type { Progress } from '../../commands/operation.js';
import type { LoadedConfig } from '../../src/config/load.js';
import {
  BusyError,
  CancelledError,
  ConfigError,
  ConfirmationRequired,
  ConnectionError,
  LockHeldError,
  NotFoundError,
  OperationFailed,
  OpsError,
  StateVersionError,
  ThresholdBreached,
  UsageError,
} from '../../src/errors.js';
import type { LogLevel, LogRecord } from '../../src/log/logger.js';
import type { RunTrigger } from '../../src/state/runs.js';

/**
 * The messages between the console (UI thread) and its engine worker (engine-worker.ts), which owns the operations
 * runtime. Everything crosses by structured clone, so errors travel as SerializedError and are rebuilt as the class
 * they were thrown as: a pane's `instanceof ConfirmationRequired` and its hint work as if the operation had run here.
 */
export interface EngineData {
  loaded: LoadedConfig;
  logLevel: LogLevel;
  trigger: RunTrigger;
}

export type ToEngine =
  | { type: 'run'; id: number; name: string; input: unknown }
  | { type: 'cancel'; id: number }
  /** Abort what runs, close the runtime (state store, kept-open targets), answer `closed`. */
  | { type: 'close' };

export type FromEngine =
  | { type: 'progress'; id: number; progress: Progress }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; error: SerializedError }
  | { type: 'log'; record: LogRecord }
  | { type: 'closed' };

export interface SerializedError {
  /** The class names from the thrown one up to Error (`SpotifyApiError`, `ConnectionError`, `OpsError`, `Error`). */
  classes: string[];
  name: string;
  message: string;
  stack: string | undefined;
  /** Own enumerable fields: OpsError's code, exitCode, hint, details; ConfirmationRequired's action and typed. */
  fields: Record<string, unknown>;
  cause: SerializedError | undefined;
}

/** The classes an error is rebuilt as; an unknown subclass becomes its nearest known ancestor, keeping its name. */
const CLASSES: Record<string, { prototype: Error }> = {
  OpsError,
  ConfigError,
  UsageError,
  NotFoundError,
  ConnectionError,
  BusyError,
  ConfirmationRequired,
  LockHeldError,
  ThresholdBreached,
  OperationFailed,
  StateVersionError,
  CancelledError,
  Error,
  TypeError,
  RangeError,
};

export function serializeError(error: unknown, depth = 0): SerializedError {
  if (!(error instanceof Error)) {
    return {
      classes: ['Error'],
      name: 'Error',
      message: String(error),
      stack: undefined,
      fields: {},
      cause: undefined,
    };
  }
  const classes: string[] = [];
  for (let p = Object.getPrototypeOf(error) as object | null; p && p !== Object.prototype; p = Object.getPrototypeOf(p))
    classes.push((p.constructor as { name?: string } | undefined)?.name ?? 'Error');
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(error)) if (k !== 'cause') fields[k] = cloneable(v);
  return {
    classes,
    name: error.name,
    message: error.message,
    stack: error.stack,
    fields,
    cause: error.cause !== undefined && depth < 5 ? serializeError(error.cause, depth + 1) : undefined,
  };
}

export function deserializeError(s: SerializedError): Error {
  const cls = s.classes.map((c) => CLASSES[c]).find(Boolean) ?? Error;
  // No constructor call: the fields (code, exitCode, hint, details, action, typed) are the thrown error's own values.
  const error = Object.create(cls.prototype) as Error;
  const define = (key: string, value: unknown) =>
    Object.defineProperty(error, key, { value, writable: true, configurable: true, enumerable: key !== 'stack' });
  define('message', s.message);
  for (const [k, v] of Object.entries(s.fields)) define(k, v);
  define('name', s.name);
  define('stack', s.stack);
  if (s.cause) Object.defineProperty(error, 'cause', { value: deserializeError(s.cause), configurable: true });
  return error;
}

/**
 * A value structured clone can carry: most results are plain data already (they are what `--json` prints); one that
 * holds a function or a class with private state is sent as its JSON form instead of failing the whole message.
 */
export function cloneable<T>(value: T): T {
  try {
    structuredClone(value);
    return value;
  } catch {
    try {
      return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as T;
    } catch {
      return String(value) as T;
    }
  }
}
