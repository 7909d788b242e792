import { ConfigError, OperationFailed, type OpsError } from '../errors.js';

/** The file-system errors an operator causes (a wrong path, a full disk) rather than a bug in opsctl. */
export const OS_ERROR_CODES = ['EISDIR', 'ENOTDIR', 'EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'ENOENT', 'EEXIST'] as const;
export type OsErrorCode = (typeof OS_ERROR_CODES)[number];

export interface OsError extends Error {
  code: OsErrorCode;
  path?: string;
  syscall?: string;
}

export function isOsError(error: unknown): error is OsError {
  if (!(error instanceof Error)) return false;
  const code: unknown = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' && (OS_ERROR_CODES as readonly string[]).includes(code);
}

export interface OsErrorContext {
  /** The path the operator gave (defaults to the one in the error). */
  path?: string | undefined;
  /** The config key or flag that named the path (`backups.dir`, `--config`), so the hint says what to change. */
  key?: string | undefined;
  /** What opsctl was doing, e.g. "reading the config file". */
  what?: string | undefined;
  /** A config/usage problem (exit 2) rather than a failed operation (exit 1). ENOSPC is always an operation failure. */
  config?: boolean | undefined;
}

/**
 * An OS error as an opsctl error: the path, what is wrong with it in words, and what to do, naming the config key or
 * flag. Exit 2 when the path came from the config or the command line, 1 when the operation itself failed.
 */
export function fromOsError(error: OsError, context: OsErrorContext = {}): OpsError {
  const path = context.path ?? error.path ?? '(unknown path)';
  const key = context.key;
  const change = key ? `point ${key} at ` : 'use ';
  const doing = context.what ? `${context.what}: ` : '';
  let problem: string;
  let hint: string;
  switch (error.code) {
    case 'EISDIR':
      problem = `${path} is a directory, not a file`;
      hint = `${change[0]!.toUpperCase()}${change.slice(1)}a file${key === '--config' ? ` (e.g. ${path.replace(/\/$/, '')}/opsctl.config.json)` : ''}.`;
      break;
    case 'ENOTDIR':
      problem = `${path}: part of this path is a file, not a directory`;
      hint = `${change[0]!.toUpperCase()}${change.slice(1)}a directory (or move the file that is in the way).`;
      break;
    case 'EACCES':
    case 'EPERM':
      problem = `permission denied on ${path}`;
      hint = `Give the user running opsctl access (check with ls -ld ${path}), or ${change}a path it may use.`;
      break;
    case 'EROFS':
      problem = `${path} is on a read-only file system`;
      hint = `${change[0]!.toUpperCase()}${change.slice(1)}a writable location.`;
      break;
    case 'ENOSPC':
      problem = `no space left on the device holding ${path}`;
      hint = `Free space there (df -h ${path}), or ${change}another disk.`;
      break;
    case 'ENOENT':
      problem = `${path} does not exist`;
      hint = `Create it, or ${change}a path that exists.`;
      break;
    case 'EEXIST':
      problem = `${path} already exists and is in the way`;
      hint = `Move it away, or ${change}another path.`;
      break;
  }
  const message = `${doing}${problem}${key ? ` (${key})` : ''}`;
  const options = { hint, cause: error, details: { path, code: error.code, ...(key ? { key } : {}) } };
  return context.config && error.code !== 'ENOSPC'
    ? new ConfigError(message, options)
    : new OperationFailed(message, options);
}

/** Runs `fn`; an OS error it throws becomes an opsctl error with `context` (any other error passes through). */
export async function withOsErrors<T>(context: OsErrorContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw isOsError(error) ? fromOsError(error, context) : error;
  }
}

/** The synchronous form of withOsErrors. */
export function withOsErrorsSync<T>(context: OsErrorContext, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw isOsError(error) ? fromOsError(error, context) : error;
  }
}
