import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './tmp.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/opsctl', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * XDG directories for a test's CLI runs, one pair per working directory (so runs in one test share a home): the
 * developer's ~/.config/opsctl is never discovered and a config without `home` never writes to ~/.local/state.
 */
const xdgByCwd = new Map<string, { XDG_CONFIG_HOME: string; XDG_STATE_HOME: string }>();
function xdgFor(cwd: string) {
  let dirs = xdgByCwd.get(cwd);
  if (!dirs) {
    const base = tempDir('opsctl-xdg-');
    dirs = { XDG_CONFIG_HOME: join(base, 'config'), XDG_STATE_HOME: join(base, 'state') };
    xdgByCwd.set(cwd, dirs);
  }
  return dirs;
}

/**
 * Runs the built CLI (bin/opsctl → dist/) as a real process with a clean environment: only PATH, HOME, private XDG
 * directories and what the test passes, so the developer's own variables and files never leak in. With no config
 * in reach, every command but demo, config show, help, version and completion exits 2: give the test one (a
 * opsctl.config.json in `cwd`, or OPSCTL_CONFIG / OPSCTL_HOME in `env`).
 */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const cwd = options.cwd ?? ROOT;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        NO_COLOR: '1',
        ...xdgFor(cwd),
        ...options.env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Runs any program with exactly the given environment and collects its output (e.g. bin/opsctl through its #!). */
export function runProcess(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * A workspace for CLI tests now that opsctl refuses to run without a config (only `opsctl demo` creates one): writes
 * `config` (default `{}`: the embedded engines) to `<home>/opsctl.config.json`, which discovery finds as
 * $OPSCTL_HOME/opsctl.config.json, and returns the env to pass: `runCli(args, { cwd, env: cliHome(join(cwd, 'h')) })`.
 */
export function cliHome(home: string, config: Record<string, unknown> = {}): { OPSCTL_HOME: string } {
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, 'opsctl.config.json'), `${JSON.stringify(config, null, 2)}\n`);
  return { OPSCTL_HOME: home };
}

/**
 * The records on a piped stderr, where every line must be one JSON record (logs, errors, notices): fails on the first
 * line that is not.
 */
export function stderrRecords(stderr: string): Array<Record<string, unknown> & { level: string; msg: string }> {
  return stderr
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown> & { level: string; msg: string };
      } catch {
        throw new Error(`a stderr line that is not a JSON record: ${line}`);
      }
    });
}

/** A piped stderr's error records as a terminal would show them (`error: msg`, `hint: …`), for matching text. */
export function stderrText(stderr: string): string {
  return stderrRecords(stderr)
    .filter((r) => r.level === 'error')
    .map((r) => `error: ${r.msg}${typeof r.hint === 'string' ? `\nhint: ${r.hint}` : ''}\n`)
    .join('');
}
