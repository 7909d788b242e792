import type { Command } from 'commander';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { createLogger, parseLogLevel, type Logger, type LogLevel } from '../log/logger.js';
import type { RunTrigger } from '../state/runs.js';
import { colorWanted, createColors, type Colors } from './colors.js';
import { tightenTree } from '../util/private-files.js';
import { ConfigNotFound } from '../errors.js';
import { invokedAs } from './invoked.js';
import { createLiveLine, type LiveLine } from './progress.js';
import { setTraceLog } from '../log/trace.js';

/** The global options every subcommand accepts. */
export interface GlobalOptions {
  json?: boolean;
  config?: string;
  envFile?: string;
  logLevel?: string;
  quiet?: boolean;
  color?: boolean;
}

/** What one CLI invocation shares: how to write, in which colours, at which log level. */
export interface CliSession {
  globals: GlobalOptions;
  json: boolean;
  quiet: boolean;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  colors: Colors;
  errColors: Colors;
  /** stderr is not a terminal (cron, systemd, CI): every line on it is one JSON record. */
  structured: boolean;
  /** The terminal's live progress line; `stderr` writes above it (see progress.ts). */
  line: LiveLine;
  exitCode: number;
}

export function createSession(command: Command): CliSession {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const line = createLiveLine(process.stderr);
  return {
    globals,
    json: Boolean(globals.json),
    quiet: Boolean(globals.quiet),
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => line.write(s),
    structured: !process.stderr.isTTY,
    line,
    colors: createColors(!globals.json && colorWanted(globals.color, process.stdout)),
    errColors: createColors(colorWanted(globals.color, process.stderr)),
    exitCode: 0,
  };
}

/**
 * `normal`: a config must be found (see requireConfig); `optional`: what discovery found or the defaults, for
 * `config show` to say where it looked; `isolated`: the demo's (no config file, no opsctl variables but OPSCTL_HOME).
 */
export function loadForSession(session: CliSession, mode: 'normal' | 'optional' | 'isolated'): LoadedConfig {
  const { globals } = session;
  const overrides = globals.logLevel
    ? [{ path: ['logLevel'], value: globals.logLevel, source: 'flag:--log-level' }]
    : [];
  const loaded =
    mode === 'isolated'
      ? loadConfig({ isolated: true, overrides })
      : loadConfig({
          ...(globals.config ? { configPath: globals.config } : {}),
          ...(globals.envFile ? { envFile: globals.envFile } : {}),
          overrides,
        });
  if (mode === 'normal') requireConfig(loaded);
  // A home an older opsctl (or another umask) left open to others is made private once.
  tightenTree(loaded.config.home);
  return loaded;
}

/**
 * Only `opsctl demo` creates a workspace. Any other command with no config file found (and no OPSCTL_STATE_URL, a
 * setup made of environment variables alone) stops here, before anything is created: an empty embedded workspace
 * would report everything "up".
 */
export function requireConfig(loaded: LoadedConfig): void {
  if (loaded.configFile || loaded.env.OPSCTL_STATE_URL?.trim()) return;
  const opsctl = invokedAs();
  throw new ConfigNotFound(
    `no opsctl config found; looked for (in order):${loaded.configSearched.map((p) => `\n  ${p}`).join('')}`,
    {
      hint: `Run \`${opsctl} demo\` to build a demo workspace in ./.opsctl (then run commands from this directory), or write opsctl.config.json (README: Configuration) and pass --config FILE or set OPSCTL_CONFIG.`,
      details: { searched: loaded.configSearched },
    },
  );
}

export function loggerFor(session: CliSession, level: LogLevel): Logger {
  const effective: LogLevel = session.quiet ? 'error' : level;
  const log = createLogger({
    level: effective,
    format: session.structured ? 'json' : 'pretty',
    color: session.errColors.enabled,
    // Through the live line: on a terminal a record never lands on the progress line.
    stream: { write: (s: string) => session.line.write(s) },
  });
  // --log-level debug traces SQL, HTTP and external tools process-wide (src/log/trace.ts).
  setTraceLog(log);
  return log;
}

/** How the config was found and resolved, for --log-level debug (sources of every value: `opsctl config show`). */
export function traceConfig(log: Logger, loaded: LoadedConfig): void {
  log.debug('config resolved', {
    file: loaded.configFile ?? null,
    foundBy: loaded.configFoundBy ?? (loaded.configFile ? null : 'none'),
    searched: loaded.configSearched,
    envFiles: loaded.envFiles,
    environment: loaded.config.environment,
    home: loaded.config.home,
    homeFrom: loaded.sources.home ?? 'default',
    state: loaded.config.state.url,
    warehouse: loaded.config.warehouse.kind,
    targets: Object.keys(loaded.config.targets),
    fromEnvironment: Object.entries(loaded.sources)
      .filter(([, source]) => /^\.?env:/.test(source))
      .map(([path, source]) => `${path}=${source}`),
  });
}

/** Cron and systemd set OPSCTL_TRIGGER so runs say who started them; a terminal is "cli". */
export function triggerFromEnv(): RunTrigger {
  const t = process.env.OPSCTL_TRIGGER;
  return t === 'cron' || t === 'bot' || t === 'tui' || t === 'demo' ? t : 'cli';
}

export function earlyLogLevel(globals: GlobalOptions): LogLevel {
  return (globals.logLevel && parseLogLevel(globals.logLevel)) || 'info';
}
