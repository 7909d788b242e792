import type { z } from 'zod';
import type { Config, LoadedConfig } from '../src/config/load.js';
import { ConfirmationRequired, throwIfAborted, UsageError } from '../src/errors.js';
import type { Logger } from '../src/log/logger.js';
import type { RunTrigger } from '../src/state/runs.js';
import type { StateStore } from '../src/state/store.js';

/**
 * The contract every capability follows. An operation is a plain async function with a zod input schema and a typed
 * result; it reports progress through `ctx.progress`, stops when `ctx.signal` fires, logs through `ctx.log`, and never
 * prints, prompts or exits. The CLI, the console (views/) and the bot are its faces.
 */
export interface Progress {
  phase: string;
  done?: number;
  total?: number;
  note?: string;
  /** A finished piece of the result, for faces that show results as they stream in (validate's checks). */
  item?: unknown;
}

export interface OperationContext {
  config: Config;
  /** Where each config value came from, the config file and the merged environment. */
  loaded: LoadedConfig;
  log: Logger;
  signal: AbortSignal;
  progress(progress: Progress): void;
  /** The state store, opened and migrated on first use and shared by the rest of the invocation. */
  state(): Promise<StateStore>;
  /** Who asked: recorded on runs. */
  trigger: RunTrigger;
}

export interface Operation<S extends z.ZodType = z.ZodType, R = unknown> {
  /** Dotted name, e.g. `config.show`, `etl.run`. */
  name: string;
  summary: string;
  input: S;
  run(ctx: OperationContext, input: z.output<S>): Promise<R>;
}

export type InputOf<O> = O extends Operation<infer S, unknown> ? z.input<S> : never;
export type ResultOf<O> = O extends Operation<z.ZodType, infer R> ? R : never;

export function defineOperation<S extends z.ZodType, R>(op: Operation<S, R>): Operation<S, R> {
  return op;
}

/** Validates the input, then runs the operation. Every face calls operations through here. */
export async function invoke<S extends z.ZodType, R>(
  op: Operation<S, R>,
  ctx: OperationContext,
  input: z.input<S>,
): Promise<R> {
  const parsed = op.input.safeParse(input ?? {});
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`);
    throw new UsageError(`invalid input for ${op.name}: ${fields.join('; ')}`, {
      hint: 'Check the arguments against --help.',
      details: { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
    });
  }
  throwIfAborted(ctx.signal);
  return op.run(ctx, parsed.data);
}

/**
 * Destructive operations call this before changing anything. `typed` names the word a face must make the operator
 * type (production targets); the CLI's --yes and the console's dialog both set `confirm: true`.
 */
export function requireConfirmation(
  confirm: boolean | undefined,
  action: string,
  options: { typed?: string; details?: Record<string, unknown> } = {},
): void {
  if (confirm === true) return;
  throw new ConfirmationRequired(action, options);
}
