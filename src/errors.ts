/**
 * Typed errors. Every error an operator can see carries a hint (what to do about it) and an exit code, so the one
 * place that maps errors to exit codes (src/cli/exit.ts) never has to guess.
 *
 * Exit codes: 0 ok, 1 the operation failed or a threshold was breached, 2 bad usage or bad config, 130 cancelled
 * (Ctrl-C), 143 stopped by SIGTERM before it finished.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130, terminated: 143 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface OpsErrorOptions {
  hint?: string;
  cause?: unknown;
  /** Structured detail that `--json` prints beside the message (never secrets). */
  details?: Record<string, unknown>;
}

export class OpsError extends Error {
  readonly code: string = 'OPS_ERROR';
  readonly exitCode: ExitCode = EXIT.failed;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, options: OpsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
    this.details = options.details;
  }
}

/** The configuration (file, environment, .env) is invalid. */
export class ConfigError extends OpsError {
  override readonly code = 'CONFIG_INVALID';
  override readonly exitCode = EXIT.usage;
}

/**
 * No config file was found where discovery looks (and the environment names no state store): opsctl refuses to make
 * up an empty workspace that would report everything "up". Not a ConfigError, so `validate`'s tolerant loading does
 * not fall back to the embedded defaults (which would create that workspace).
 */
export class ConfigNotFound extends OpsError {
  override readonly code = 'CONFIG_NOT_FOUND';
  override readonly exitCode = EXIT.usage;
}

/** The command line or an operation's input is invalid. */
export class UsageError extends OpsError {
  override readonly code = 'USAGE';
  override readonly exitCode = EXIT.usage;
}

/** A named thing (target, run, table, backup) does not exist. */
export class NotFoundError extends OpsError {
  override readonly code = 'NOT_FOUND';
  override readonly exitCode = EXIT.usage;
}

/** A server, file or API could not be reached or refused us. */
export class ConnectionError extends OpsError {
  override readonly code: string = 'CONNECTION';
}

/** A resource serves one process at a time (a PGlite data directory, the DuckDB file) and another holds it now. */
export class BusyError extends ConnectionError {
  override readonly code = 'BUSY';
}

/** A destructive operation was asked for without `confirm: true`. */
export class ConfirmationRequired extends OpsError {
  override readonly code = 'CONFIRMATION_REQUIRED';
  override readonly exitCode = EXIT.usage;
  /** When set, the face must make the operator type this exact word (production targets). */
  readonly typed: string | undefined;
  /** What will happen, in one line, for the confirmation dialog. */
  readonly action: string;

  constructor(action: string, options: OpsErrorOptions & { typed?: string } = {}) {
    super(`${action}: confirmation required`, {
      hint: options.hint ?? 'Re-run with --yes to confirm (in the console, answer the dialog).',
      ...options,
    });
    this.action = action;
    this.typed = options.typed;
  }
}

/** Someone else holds the lock; `holder` says who. */
export class LockHeldError extends OpsError {
  override readonly code = 'LOCK_HELD';
}

/** A measured value crossed a configured limit (load-test threshold, cost level, backup age). */
export class ThresholdBreached extends OpsError {
  override readonly code = 'THRESHOLD_BREACHED';
}

/** The operation ran and failed (a pipeline, a dump, a migration). */
export class OperationFailed extends OpsError {
  override readonly code = 'OPERATION_FAILED';
}

/** The state store was written by a newer opsctl, or its schema cannot be used. */
export class StateVersionError extends OpsError {
  override readonly code = 'STATE_VERSION';
  override readonly exitCode = EXIT.usage;
}

/** The operation was cancelled through its AbortSignal. */
export class CancelledError extends OpsError {
  override readonly code = 'CANCELLED';
  override readonly exitCode = EXIT.cancelled;
}

export function isOpsError(error: unknown): error is OpsError {
  return error instanceof OpsError;
}

/** Throws CancelledError when the signal has fired: call between units of work. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError('cancelled', { hint: 'The operation was interrupted; re-run it.' });
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
