// A real terminal for the console: the built bin/opsctl inside a detached tmux session (a pseudo-terminal of a given
// size), driven with send-keys and read with capture-pane, as an operator's terminal would be.
import { execFileSync, spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStateStore } from '../../src/state/open.js';
import { finishRun, startRun } from '../../src/state/runs.js';
import { BIN } from './cli.js';
import { tempDir } from './tmp.js';

/** Why the suite cannot run here, or undefined when tmux answers. */
export function tmuxMissing(): string | undefined {
  const r = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return `tmux is not installed (${r.error?.message ?? r.stderr.trim()})`;
  return undefined;
}

export interface Workspace {
  home: string;
  env: Record<string, string>;
}

/**
 * The cheapest workspace the console opens on: a config (development or production) and a SQLite state store with
 * `runs` finished pipeline runs, the last one failed with a long error. No PGlite target, so nothing slow to open.
 */
export async function consoleWorkspace(
  options: {
    runs?: number;
    environment?: string;
    longError?: string;
    /** More config (targets, migrations) given the workspace's home. */
    config?: (home: string) => Record<string, unknown>;
  } = {},
): Promise<Workspace> {
  const home = join(tempDir('opsctl-term-'), 'ws');
  mkdirSync(home, { recursive: true });
  writeFileSync(
    join(home, 'opsctl.config.json'),
    JSON.stringify(
      {
        environment: options.environment ?? 'development',
        warehouse: { kind: 'duckdb' },
        ...options.config?.(home),
      },
      null,
      2,
    ),
  );
  const store = await openStateStore(`sqlite:${join(home, 'state.db')}`);
  try {
    const count = options.runs ?? 0;
    for (let i = 1; i <= count; i++) {
      const run = await startRun(store, { operation: 'etl.run', pipeline: 'spotify', trigger: 'cron' });
      const failed = i === count && options.longError !== undefined;
      await finishRun(store, run.id, {
        status: failed ? 'failed' : 'succeeded',
        summary: { rowsExtracted: 10 * i, rowsLoaded: 10 * i, rowsRejected: 0 },
        ...(failed ? { error: options.longError! } : {}),
      });
    }
  } finally {
    await store.close();
  }
  return { home, env: { OPSCTL_HOME: home } };
}

let sessions = 0;

/** One console in one tmux server of its own (its own socket), so tests never see each other's screens. */
export class Terminal {
  readonly socket: string;
  readonly statusFile: string;
  private closed = false;

  private constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.socket = `opsctl-test-${process.pid}-${++sessions}`;
    this.statusFile = join(tempDir('opsctl-term-status-'), 'exit-status');
  }

  /** Starts `opsctl [args]` at width×height with only PATH, HOME, TERM and `env` in its environment. */
  static start(options: { width: number; height: number; env: Record<string, string>; args?: string[] }): Terminal {
    const t = new Terminal(options.width, options.height);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
      ...options.env,
    };
    const command = [process.execPath, BIN, ...(options.args ?? [])];
    t.tmux(
      '-f',
      '/dev/null',
      'new-session',
      '-d',
      '-s',
      'console',
      '-x',
      String(options.width),
      '-y',
      String(options.height),
      // `env -i` so the tmux server's own environment does not leak into the console; its exit status goes to a file
      // (tmux's own #{pane_dead_status} was not always filled in).
      `${['env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...command].map(shellQuote).join(' ')}; ` +
        `echo $? > ${shellQuote(t.statusFile)}.tmp && mv ${shellQuote(t.statusFile)}.tmp ${shellQuote(t.statusFile)}`,
    );
    return t;
  }

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** The screen as text, one line per row, trailing spaces trimmed. */
  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', 'console')
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n');
  }

  /** The screen with SGR sequences (capture-pane -e): to tell the highlighted row or tab. */
  screenWithAttributes(): string {
    return this.tmux('capture-pane', '-p', '-e', '-t', 'console');
  }

  /** Named keys (tmux names: Escape, Enter, Tab, Down, C-c) or characters, each its own key press. */
  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', 'console', ...keys);
  }

  /** Text delivered to the console in one write (a paste, fast typing). */
  chunk(text: string): void {
    this.tmux('send-keys', '-t', 'console', '-l', text);
  }

  private control: ControlClient | undefined;

  /**
   * Sends keys and returns the milliseconds until the console has written output that `match`es (given everything
   * it wrote since, escape sequences included). Keys go through one tmux control-mode client started once (spawning a
   * tmux client per key cost 50–190 ms on a loaded machine, which would be the harness's latency, not the console's),
   * and the console's output comes back on the same client as it is written (no polling): the figure is the time
   * from handing the keys to tmux to the bytes on the pane, an upper bound of the console's own latency.
   */
  async keyToOutput(keys: string[], match: (written: string) => boolean, timeoutMs = 15_000): Promise<number> {
    this.control ??= new ControlClient(this.socket);
    return this.control.keyToOutput(keys, match, timeoutMs);
  }

  /** Polls the screen until it matches; throws with the last screen after `timeoutMs`. */
  async waitFor(match: string | RegExp | ((screen: string) => boolean), timeoutMs = 15_000): Promise<string> {
    const test =
      typeof match === 'function'
        ? match
        : typeof match === 'string'
          ? (s: string) => s.includes(match)
          : (s: string) => match.test(s);
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      last = this.screen();
      if (test(last)) return last;
      if (Date.now() > deadline) {
        throw new Error(`screen never matched ${String(match)} within ${timeoutMs} ms; last screen:\n${last}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** The exit status once the console has exited (the wrapper writes it to a file), else undefined. */
  exitStatus(): number | undefined {
    if (!existsSync(this.statusFile)) return undefined;
    const text = readFileSync(this.statusFile, 'utf8').trim();
    return text === '' ? undefined : Number(text);
  }

  async waitForExit(timeoutMs = 10_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = this.exitStatus();
      if (status !== undefined) return status;
      if (Date.now() > deadline) throw new Error(`the console did not exit within ${timeoutMs} ms:\n${this.screen()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Kills the session and its server (and the console with it, if it still runs). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.control?.close();
    spawnSync('tmux', ['-L', this.socket, 'kill-server'], { stdio: 'ignore' });
  }
}

/** A tmux control-mode client (`tmux -C attach`): commands on its stdin, the pane's output as `%output` lines. */
class ControlClient {
  private readonly proc: ChildProcessWithoutNullStreams;
  private written = '';
  private pending = '';
  private onOutput: (() => void) | undefined;
  /** Attached: tmux has answered the attach (the clock never counts the client's own start). */
  private readonly ready: Promise<void>;

  constructor(socket: string) {
    this.proc = spawn('tmux', ['-L', socket, '-C', 'attach', '-t', 'console']);
    this.proc.stdout.setEncoding('utf8');
    this.ready = new Promise((resolve) => this.proc.stdout.once('data', () => resolve()));
    this.proc.stdout.on('data', (chunk: string) => {
      const lines = (this.pending + chunk).split('\n');
      this.pending = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^%output %\d+ (.*)$/.exec(line);
        // Control mode writes bytes below 32 and the backslash as \ooo octal escapes.
        if (m) this.written += m[1]!.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
      }
      this.onOutput?.();
    });
  }

  async keyToOutput(keys: string[], match: (written: string) => boolean, timeoutMs: number): Promise<number> {
    await this.ready;
    this.written = '';
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const timer = setTimeout(() => {
        this.onOutput = undefined;
        reject(new Error(`no output matched within ${timeoutMs} ms after ${keys.join(' ')}`));
      }, timeoutMs);
      this.onOutput = () => {
        if (!match(this.written)) return;
        const ms = performance.now() - started;
        this.onOutput = undefined;
        clearTimeout(timer);
        resolve(ms);
      };
      this.proc.stdin.write(`send-keys -t console ${keys.map((k) => `'${k.replace(/'/g, "'\\''")}'`).join(' ')}\n`);
    });
  }

  close(): void {
    this.proc.kill();
  }
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The header line (the tab bar) of a screen. */
export function headerOf(screen: string): string {
  return screen.split('\n')[0] ?? '';
}

/** The text drawn inverse (SGR 7) on a line captured with attributes: the highlighted tab or row. */
export function inverseText(line: string): string {
  let inverse = false;
  let out = '';
  // eslint-disable-next-line no-control-regex
  for (const part of line.split(/(\x1b\[[0-9;]*m)/)) {
    // eslint-disable-next-line no-control-regex
    const sgr = /^\x1b\[([0-9;]*)m$/.exec(part);
    if (!sgr) {
      if (inverse) out += part;
      continue;
    }
    for (const code of (sgr[1] || '0').split(';')) {
      if (code === '0' || code === '' || code === '27') inverse = false;
      else if (code === '7') inverse = true;
    }
  }
  return out;
}
