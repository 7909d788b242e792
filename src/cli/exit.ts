import { EXIT, isOpsError, type ExitCode } from '../errors.js';
import { redactor } from '../log/redact.js';
import { fromOsError, isOsError } from '../util/os-errors.js';
import type { Colors } from './colors.js';
import { writeJson } from './output.js';

/** The one place errors become exit codes and messages. */
export function exitCodeFor(error: unknown): ExitCode {
  if (isOpsError(error)) return error.exitCode;
  if (isOsError(error)) return fromOsError(error).exitCode;
  return EXIT.failed;
}

export function describeError(error: unknown): {
  code: string;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
} {
  if (isOpsError(error)) {
    return {
      code: error.code,
      message: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
      ...(error.details ? { details: error.details } : {}),
    };
  }
  // A file-system error that escaped its operation is the operator's path, not a bug: say what is wrong with it.
  if (isOsError(error)) return describeError(fromOsError(error));
  const e = error as Error;
  return {
    code: 'INTERNAL',
    message: e?.message ?? String(error),
    hint: 'This is a bug in opsctl; run with --log-level debug and report it.',
  };
}

/** Where the CLI writes to the operator: stderr, in colour or not, and whether stderr is a log collector's pipe. */
export interface StderrIo {
  stderr: (s: string) => void;
  colors: Colors;
  /** stderr is not a terminal (cron, systemd, CI): every line must be one JSON record. */
  structured?: boolean;
}

/**
 * One message for the operator on stderr: `text` on a terminal; on a pipe one JSON record with the logger's shape
 * (time, level, msg, fields), so every stderr line a log collector reads parses, errors included.
 */
export function writeDiagnostic(
  io: StderrIo,
  record: { level: 'error' | 'warn' | 'info'; msg: string; [field: string]: unknown },
  text: string,
): void {
  if (io.structured) io.stderr(`${redactor.redact(JSON.stringify({ time: new Date().toISOString(), ...record }))}\n`);
  else io.stderr(redactor.redact(text));
}

export function reportError(
  error: unknown,
  io: StderrIo & { json: boolean; stdout: (s: string) => void; debug: boolean },
): ExitCode {
  const described = describeError(error);
  if (io.json) writeJson(io.stdout, { error: described });
  const { c } = { c: io.colors };
  const stack = io.debug && error instanceof Error && error.stack && !isOpsError(error) ? error.stack : undefined;
  const lines = [`${c.red(c.bold('error'))}: ${described.message}`];
  if (described.hint) lines.push(`${c.dim('hint')}: ${described.hint}`);
  if (stack) lines.push(c.dim(stack));
  // `details` stay in the --json document on stdout: they may name internal fields (olderThan for --older-than).
  const { message, details: _details, ...rest } = described;
  writeDiagnostic(io, { level: 'error', msg: message, ...rest, ...(stack ? { stack } : {}) }, `${lines.join('\n')}\n`);
  return exitCodeFor(error);
}

/** commander's usage error (`error: unknown option '--x'` and its suggestion) as one JSON record, for a pipe. */
export function usageErrorRecord(text: string): string {
  const msg = text.replace(/^error: /, '').trim();
  const record = {
    time: new Date().toISOString(),
    level: 'error',
    msg,
    code: 'USAGE',
    hint: 'run with --help for usage',
  };
  return `${JSON.stringify(record)}\n`;
}
