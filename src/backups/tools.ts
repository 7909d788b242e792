import { createHash } from 'node:crypto';
import { chmodSync, createReadStream, createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { chmod, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { execa } from 'execa';
import type { Config } from '../config/load.js';
import { CancelledError, OperationFailed } from '../errors.js';
import { CREDENTIAL_PARAM, redactor } from '../log/redact.js';
import { traceExec } from '../log/trace.js';

/**
 * How a dump/restore program reaches a server: arguments without any credential (argv is visible to every user in
 * `ps`), the credentials in the environment or in a 0600 file only this user can read. `dispose()` removes that file.
 */
export interface ToolConnection {
  args: string[];
  env: Record<string, string>;
  dispose(): void;
}

/**
 * PostgreSQL: the URL without its credentials as --dbname (a conninfo URI); the password (userinfo or `?password=`)
 * in PGPASSWORD; an `sslpassword` (libpq has no environment variable for it) in a 0600 service file named by
 * PGSERVICEFILE/PGSERVICE.
 */
export function pgConnection(url: string, database?: string): ToolConnection {
  const u = new URL(url);
  const password = u.password ? decodeURIComponent(u.password) : (u.searchParams.get('password') ?? '');
  const sslPassword = u.searchParams.get('sslpassword');
  u.password = '';
  for (const key of [...u.searchParams.keys()]) if (CREDENTIAL_PARAM.test(key)) u.searchParams.delete(key);
  if (database !== undefined) u.pathname = `/${encodeURIComponent(database)}`;
  const env: Record<string, string> = password ? { PGPASSWORD: password } : {};
  let dispose = () => undefined as void;
  if (sslPassword) {
    const file = secretFile('pg_service.conf', `[opsctl]\nsslpassword=${sslPassword.replace(/[\r\n]/g, '')}\n`);
    Object.assign(env, { PGSERVICEFILE: file.path, PGSERVICE: 'opsctl' });
    dispose = file.dispose;
  }
  return { args: [`--dbname=${u.toString()}`], env, dispose };
}

/** MySQL/MariaDB: host, port and user as options, the password in MYSQL_PWD, the database last. */
export function mysqlConnection(url: string, database?: string): ToolConnection & { database: string } {
  const u = new URL(url.replace(/^mariadb:/i, 'mysql:'));
  const password = u.password ? decodeURIComponent(u.password) : (u.searchParams.get('password') ?? '');
  const db = database ?? decodeURIComponent(u.pathname.replace(/^\//, ''));
  return {
    args: [
      `--host=${u.hostname || '127.0.0.1'}`,
      `--port=${u.port || '3306'}`,
      `--user=${decodeURIComponent(u.username || 'root')}`,
    ],
    env: password ? { MYSQL_PWD: password } : {},
    database: db,
    dispose: () => undefined,
  };
}

/** A file only this user can read (0600, in a 0700 directory of its own), for a credential a tool reads from a file. */
function secretFile(name: string, text: string): { path: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'opsctl-cred-'));
  chmodSync(dir, 0o700);
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return { path, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The URL of another database on the same server (scratch databases). */
export function urlWithDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

export type ToolName = 'pgDump' | 'pgRestore' | 'mysqlDump' | 'mysql';
const MYSQL_CANDIDATES: Record<'mysqlDump' | 'mysql', string[]> = {
  mysqlDump: ['mariadb-dump', 'mysqldump'],
  mysql: ['mariadb', 'mysql'],
};
const resolved = new Map<string, { path: string; version: string }>();

/** The configured program, or the first candidate that runs; with its `--version` line. */
export async function resolveTool(config: Config, name: ToolName): Promise<{ path: string; version: string }> {
  const configured = config.backups.tools[name];
  const candidates = configured
    ? [configured]
    : name === 'pgDump' || name === 'pgRestore'
      ? [config.backups.tools[name]]
      : MYSQL_CANDIDATES[name];
  const tried: string[] = [];
  for (const candidate of candidates) {
    if (!candidate) continue;
    const cached = resolved.get(candidate);
    if (cached) return cached;
    const r = await execa(candidate, ['--version'], { reject: false, timeout: 10_000 });
    if (r.exitCode === 0) {
      const found = { path: candidate, version: String(r.stdout).trim().split('\n')[0] ?? candidate };
      resolved.set(candidate, found);
      return found;
    }
    tried.push(candidate);
  }
  throw new OperationFailed(
    `no ${name === 'pgDump' ? 'pg_dump' : name === 'pgRestore' ? 'pg_restore' : name === 'mysqlDump' ? 'mariadb-dump/mysqldump' : 'mariadb/mysql client'} found (tried ${tried.join(', ')})`,
    {
      hint: `Install the client tools (Debian: postgresql-client, mariadb-client) or set backups.tools.${name} to the program's path.`,
    },
  );
}

/** Passes bytes through, hashing and counting them. */
export class HashTap extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null, data?: Buffer) => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}

export async function sha256File(path: string, signal?: AbortSignal): Promise<{ sha256: string; bytes: number }> {
  const tap = new HashTap();
  await pipeline(
    createReadStream(path, { highWaterMark: 1 << 20 }),
    tap,
    // The sink: only the tap's digest is wanted.
    async (source: AsyncIterable<unknown>) => {
      for await (const _ of source) {
        /* drain */
      }
    },
    signal ? { signal } : {},
  );
  return { sha256: tap.digest(), bytes: tap.bytes };
}

function toolFailure(what: string, stderr: string, exitCode: number | undefined, hint: string): OperationFailed {
  const text = redactor.redact(stderr.trim()).split('\n').slice(-20).join('\n');
  return new OperationFailed(
    `${what} failed${exitCode === undefined ? '' : ` (exit ${exitCode})`}${text ? `: ${text}` : ''}`,
    { hint, details: { stderr: text } },
  );
}

export interface StreamToFileOptions {
  tool: string;
  args: string[];
  env: Record<string, string>;
  /** Final path; bytes go to `<path>.partial`, renamed on success and removed on any failure. */
  path: string;
  /** Transforms between the program's stdout and the file (gzip). */
  transforms?: Transform[];
  signal: AbortSignal;
  what: string;
  hint: string;
  onBytes?: (bytes: number) => void;
}

/**
 * Runs a program and streams its stdout into a file with mode 0600, hashing while writing: memory stays flat however
 * large the dump. A non-zero exit, a write error or cancellation removes the partial file.
 */
export async function streamToolToFile(options: StreamToFileOptions): Promise<{ sha256: string; sizeBytes: number }> {
  const partial = `${options.path}.partial`;
  const tap = new HashTap();
  traceExec(options.tool, options.args);
  const sub = execa(options.tool, options.args, {
    env: options.env,
    stdin: 'ignore',
    buffer: { stdout: false, stderr: true },
    reject: false,
    cancelSignal: options.signal,
    forceKillAfterDelay: 5_000,
    maxBuffer: { stderr: 1_000_000 },
  });
  let last = 0;
  const progress = new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (options.onBytes && tap.bytes - last > 8 << 20) {
        last = tap.bytes;
        options.onBytes(tap.bytes);
      }
      done(null, chunk);
    },
  });
  const out = createWriteStream(partial, { mode: 0o600, highWaterMark: 1 << 20 });
  const writing = pipeline([sub.stdout, ...(options.transforms ?? []), tap, progress, out]);
  const [result, written] = await Promise.allSettled([sub, writing]);
  try {
    if (options.signal.aborted)
      throw new CancelledError(`${options.what} cancelled`, { hint: 'Nothing was kept; run it again.' });
    if (result.status === 'rejected')
      throw toolFailure(options.what, String((result.reason as Error).message), undefined, options.hint);
    const r = result.value;
    if (r.exitCode !== 0 || r.failed)
      throw toolFailure(options.what, String(r.stderr ?? r.message ?? ''), r.exitCode, options.hint);
    if (written.status === 'rejected')
      throw new OperationFailed(`${options.what}: writing ${partial} failed: ${(written.reason as Error).message}`, {
        hint: 'Check free space and permissions of backups.dir.',
        cause: written.reason,
      });
    await chmod(partial, 0o600);
    await rename(partial, options.path);
    return { sha256: tap.digest(), sizeBytes: tap.bytes };
  } catch (error) {
    sub.kill();
    await rm(partial, { force: true });
    throw error;
  }
}

/** Runs a program that reads the stream on stdin (a restore), failing with its stderr. */
export async function streamFileToTool(options: {
  tool: string;
  args: string[];
  env: Record<string, string>;
  input: Readable;
  signal: AbortSignal;
  what: string;
  hint: string;
}): Promise<void> {
  traceExec(options.tool, options.args);
  const sub = execa(options.tool, options.args, {
    env: options.env,
    stdin: 'pipe',
    stdout: 'ignore',
    reject: false,
    cancelSignal: options.signal,
    forceKillAfterDelay: 5_000,
    maxBuffer: { stderr: 1_000_000 },
  });
  const feeding = pipeline(options.input, sub.stdin);
  const [result, fed] = await Promise.allSettled([sub, feeding]);
  if (options.signal.aborted) throw new CancelledError(`${options.what} cancelled`, { hint: 'Run it again.' });
  if (result.status === 'rejected')
    throw toolFailure(options.what, String((result.reason as Error).message), undefined, options.hint);
  if (result.value.exitCode !== 0 || result.value.failed)
    throw toolFailure(
      options.what,
      String(result.value.stderr ?? result.value.message ?? ''),
      result.value.exitCode,
      options.hint,
    );
  if (fed.status === 'rejected')
    throw new OperationFailed(`${options.what}: reading the backup failed: ${(fed.reason as Error).message}`, {
      hint: options.hint,
      cause: fed.reason,
    });
}

export interface ToolRun {
  tool: string;
  args: string[];
  env: Record<string, string>;
  signal: AbortSignal;
  what: string;
  hint: string;
}

async function execTool(options: ToolRun, keepStdout: boolean): Promise<string> {
  traceExec(options.tool, options.args);
  const r = await execa(options.tool, options.args, {
    env: options.env,
    stdin: 'ignore',
    stdout: keepStdout ? 'pipe' : 'ignore',
    reject: false,
    cancelSignal: options.signal,
    forceKillAfterDelay: 5_000,
  });
  if (options.signal.aborted) throw new CancelledError(`${options.what} cancelled`, { hint: 'Run it again.' });
  if (r.exitCode !== 0 || r.failed)
    throw toolFailure(options.what, String(r.stderr ?? r.message ?? ''), r.exitCode, options.hint);
  return keepStdout ? String(r.stdout ?? '') : '';
}

/** Runs a tool and returns what it wrote to stdout (small outputs: a TOC listing, the SQL of a few entries). */
export function toolOutput(options: ToolRun): Promise<string> {
  return execTool(options, true);
}

/** Runs a program to completion (pg_restore from a file), failing with its stderr. */
export async function runTool(options: ToolRun): Promise<void> {
  await execTool(options, false);
}
