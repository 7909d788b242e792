import type { Command } from 'commander';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { createLogger, parseLogLevel, type Logger, type LogLevel } from '../log/logger.js';
import type { RunTrigger } from '../state/runs.js';
import { colorWanted, createColors, type Colors } from './colors.js';
import { tightenTree } from '../util/private-files.js';

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

export function loadForSession(session: CliSession, mode: 'normal' | 'isolated'): LoadedConfig {
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
  // A home an older opsctl (or another umask) left open to others is made private once.
  tightenTree(loaded.config.home);
  return loaded;
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
