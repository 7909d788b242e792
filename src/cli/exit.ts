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

export function reportError(
  error: unknown,
  io: { json: boolean; stdout: (s: string) => void; stderr: (s: string) => void; colors: Colors; debug: boolean },
): ExitCode {
  const described = describeError(error);
  if (io.json) writeJson(io.stdout, { error: described });
  const { c } = { c: io.colors };
  const lines = [`${c.red(c.bold('error'))}: ${described.message}`];
  if (described.hint) lines.push(`${c.dim('hint')}: ${described.hint}`);
  if (io.debug && error instanceof Error && error.stack && !isOpsError(error)) lines.push(c.dim(error.stack));
  io.stderr(`${redactor.redact(lines.join('\n'))}\n`);
  return exitCodeFor(error);
}
