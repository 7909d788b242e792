import { redactor as defaultRedactor, type Redactor } from './redact.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/** Accepts the seeds' Python-style names too (WARNING, CRITICAL), case-insensitive. */
export function parseLogLevel(value: string): LogLevel | undefined {
  const v = value.trim().toLowerCase();
  if (v === 'warning') return 'warn';
  if (v === 'critical' || v === 'fatal') return 'error';
  if (v === 'none' || v === 'off') return 'silent';
  return (LOG_LEVELS as readonly string[]).includes(v) ? (v as LogLevel) : undefined;
}

export type LogFields = Record<string, unknown>;

export interface LogRecord {
  time: string;
  level: Exclude<LogLevel, 'silent'>;
  msg: string;
  [field: string]: unknown;
}

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
  readonly level: LogLevel;
}

export interface LoggerOptions {
  level: LogLevel;
  /** Where records go. Defaults to stderr, formatted by `format`. */
  sink?: (record: LogRecord) => void;
  /** JSON lines (cron, systemd) or a short human line (a terminal). */
  format?: 'json' | 'pretty';
  /** Where formatted records are written (stderr by default; the CLI passes its live line, see progress.ts). */
  stream?: { write(text: string): unknown };
  color?: boolean;
  redactor?: Redactor;
  fields?: LogFields;
}

export function createLogger(options: LoggerOptions): Logger {
  const redactor = options.redactor ?? defaultRedactor;
  const stream = options.stream ?? process.stderr;
  const format = options.format ?? 'json';
  const sink =
    options.sink ??
    ((record: LogRecord) => {
      stream.write(
        redactor.redact(format === 'json' ? JSON.stringify(record) : pretty(record, options.color ?? false)) + '\n',
      );
    });
  const make = (fields: LogFields): Logger => {
    const emit = (level: Exclude<LogLevel, 'silent'>, msg: string, extra?: LogFields) => {
      if (RANK[level] < RANK[options.level]) return;
      sink({ time: new Date().toISOString(), level, msg, ...fields, ...serializeFields(extra) });
    };
    return {
      level: options.level,
      debug: (m, f) => emit('debug', m, f),
      info: (m, f) => emit('info', m, f),
      warn: (m, f) => emit('warn', m, f),
      error: (m, f) => emit('error', m, f),
      child: (more) => make({ ...fields, ...more }),
    };
  };
  return make(options.fields ?? {});
}

export const silentLogger: Logger = createLogger({ level: 'silent', sink: () => undefined });

function serializeFields(fields: LogFields | undefined): LogFields {
  if (!fields) return {};
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) out[k] = v instanceof Error ? { name: v.name, message: v.message } : v;
  return out;
}

const LEVEL_COLOR: Record<string, string> = {
  debug: '\x1b[90m',
  info: '\x1b[36m',
  warn: '\x1b[33m',
  error: '\x1b[31m',
};

function pretty(record: LogRecord, color: boolean): string {
  const { time, level, msg, ...rest } = record;
  const extras = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const tag = color ? `${LEVEL_COLOR[level] ?? ''}${level.padEnd(5)}\x1b[0m` : level.padEnd(5);
  return `${time.slice(11, 19)} ${tag} ${msg}${extras ? `  ${extras}` : ''}`;
}
