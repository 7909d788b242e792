import type { Command } from 'commander';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { createLogger, parseLogLevel, type Logger, type LogLevel } from '../log/logger.js';
import type { RunTrigger } from '../state/runs.js';
import { colorWanted, createColors, type Colors } from './colors.js';
import { tightenTree } from '../util/private-files.js';
import { ConfigNotFound } from '../errors.js';
import { invokedAs } from './invoked.js';

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
  exitCode: number;
}

export function createSession(command: Command): CliSession {
  const globals = command.optsWithGlobals<GlobalOptions>();
  return {
    globals,
    json: Boolean(globals.json),
    quiet: Boolean(globals.quiet),
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
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
  return createLogger({
    level: effective,
    format: process.stderr.isTTY ? 'pretty' : 'json',
    color: session.errColors.enabled,
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
