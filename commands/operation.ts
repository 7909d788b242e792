import { z } from 'zod';
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
    // Named as the operator typed it (--older-than "garbage"), not as the schema spells it (olderThan).
    const fields = parsed.error.issues.map((i) => {
      const value = valueAt(input, i.path);
      return `${flagName(i.path)}${value === undefined ? '' : ` ${JSON.stringify(value)}`}: ${i.message}`;
    });
    throw new UsageError(`invalid ${fields.join('; ')}`, {
      hint: `Check the arguments of ${op.name} against --help.`,
      details: { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
    });
  }
  throwIfAborted(ctx.signal);
  return op.run(ctx, parsed.data);
}

/** What a destructive operation's input carries to say it was confirmed (--yes, --confirm-target, a dialog). */
export interface ConfirmInput {
  confirm?: boolean | undefined;
  /** The name of the target, typed (a terminal prompt, the console's dialog) or given as --confirm-target. */
  confirmTarget?: string | undefined;
}

/** The zod fields of ConfirmInput, for a destructive operation's input schema. */
export const confirmFields = {
  confirm: z.boolean().optional(),
  confirmTarget: z.string().min(1).optional(),
};

/** What a destructive operation acts on: a production target needs its name, `confirm` alone is not enough. */
export interface ConfirmTarget {
  name: string;
  production: boolean;
}

/**
 * Whether the input confirms an action on `target`. A production target needs its name (`confirmTarget`, which the
 * CLI's --confirm-target, the terminal's typed prompt and the console's typed dialog set); --yes is not enough, in
 * scripts or anywhere. A name that does not match is a usage error, never a silent refusal.
 */
export function isConfirmed(input: ConfirmInput, target?: ConfirmTarget): boolean {
  if (input.confirmTarget !== undefined && target && input.confirmTarget !== target.name) {
    throw new UsageError(
      `--confirm-target "${input.confirmTarget}" does not name the target this acts on ("${target.name}")`,
      {
        hint: `Pass --confirm-target ${target.name} (the target's name, exactly), or leave it out to be asked.`,
      },
    );
  }
  if (target?.production) return input.confirmTarget === target.name;
  return input.confirm === true || (target !== undefined && input.confirmTarget === target.name);
}

/**
 * Destructive operations call this before changing anything. On a production target the face must make the operator
 * type the target's name (or pass --confirm-target NAME); elsewhere the CLI's --yes and the console's dialog both set
 * `confirm: true`.
 */
export function requireConfirmation(
  input: ConfirmInput,
  action: string,
  options: { target?: ConfirmTarget | undefined; details?: Record<string, unknown> } = {},
): void {
  if (isConfirmed(input, options.target)) return;
  const typed = options.target?.production ? options.target.name : undefined;
  throw new ConfirmationRequired(action, {
    ...(typed
      ? {
          typed,
          hint: `"${typed}" is a production target: type its name when asked, or pass --confirm-target ${typed} in scripts (--yes alone is not enough).`,
        }
      : {}),
    ...(options.details ? { details: options.details } : {}),
  });
}

/** `olderThan` → `--older-than`; a nested path keeps its dots (`pool.max` → `--pool.max`). */
function flagName(path: PropertyKey[]): string {
  if (path.length === 0) return 'input';
  return `--${path.map((p) => String(p).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)).join('.')}`;
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let v: unknown = input;
  for (const p of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return typeof v === 'object' ? undefined : v;
}
