import { UsageError } from '../errors.js';

/**
 * Reading commander's words into an operation's typed input. Commander hands over options as untyped values and
 * positional arguments as a list; these narrow them (and reject a bad number or choice with the flag's name) so each
 * register file builds exactly `InputFor<'…'>`. The operation's zod schema still checks everything again.
 */

/** A positional argument commander already requires (`<name>` in the command's arguments). */
export function required(args: string[], index: number, name: string): string {
  const value = args[index];
  if (value === undefined) throw new UsageError(`missing argument ${name}`, { hint: 'See the command with --help.' });
  return value;
}

/** An option that takes text; absent (or a bare boolean flag) is undefined. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A variadic or repeatable option (`<name...>`). */
export function texts(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.map(String) : undefined;
}

/** A whole number of at least `min` (default 1); absent is undefined. */
export function wholeNumber(value: string, flag: string, options?: NumberOptions): number;
export function wholeNumber(value: unknown, flag: string, options?: NumberOptions): number | undefined;
export function wholeNumber(value: unknown, flag: string, options: NumberOptions = {}): number | undefined {
  if (value === undefined) return undefined;
  const min = options.min ?? 1;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`${flag} takes a whole number of ${min} or more, not "${String(value)}"`, {
      hint: options.hint ?? `e.g. ${flag} ${Math.max(min, 2)}`,
    });
  return n;
}

interface NumberOptions {
  min?: number;
  hint?: string;
}

/** A number greater than zero (rates, connections, hours); absent is undefined. */
export function positiveNumber(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`${flag} takes a positive number, not "${String(value)}"`, {
      hint: 'See the command with --help.',
    });
  return n;
}

/** Any finite number (timeouts, percents the operation bounds itself); absent is undefined. */
export function finiteNumber(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n))
    throw new UsageError(`${flag} takes a number, not "${String(value)}"`, { hint: 'See the command with --help.' });
  return n;
}

/** One of a fixed set of words; absent is undefined. */
export function oneOf<T extends string>(value: unknown, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  const found = allowed.find((a) => a === value);
  if (found === undefined)
    throw new UsageError(`${flag} takes one of ${allowed.join(', ')}, not "${String(value)}"`, {
      hint: 'See the command with --help.',
    });
  return found;
}

/** The flag every destructive command takes beside --yes: a production target's name, typed in the script. */
export const CONFIRM_TARGET_FLAG = '--confirm-target <name>';
export const CONFIRM_TARGET_HELP =
  "a production target's name: the same check as typing it at the prompt (--yes alone is not enough there)";

/** --yes and --confirm-target as an operation's confirmation input. */
export function confirmation(o: Record<string, unknown>): { confirm?: true; confirmTarget?: string } {
  const target = text(o.confirmTarget);
  return { ...(o.yes ? { confirm: true as const } : {}), ...(target !== undefined ? { confirmTarget: target } : {}) };
}
