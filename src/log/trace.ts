import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { redactSqlLiterals } from '../db/redact-literals.js';
import type { Logger } from './logger.js';
import { redactUrl } from './redact.js';

/**
 * What `--log-level debug` traces, for an operator debugging a run: each SQL statement (literals masked, parameters
 * counted, never printed) with its duration, each HTTP call (method, host, path, status, duration; no query string,
 * headers or body: opsctl's own through tracedFetch, libraries' through Node's channels, below), each external tool's argv (credentials never go on a command line:
 * see src/backups/tools.ts) and how the config was resolved (src/cli/session.ts).
 *
 * One process-wide switch, as the redactor is: the CLI turns it on when its logger is at debug, and the wrappers below
 * cost one comparison when it is off. The records are the logger's, so they are redacted and JSON on a pipe.
 */
let traceLog: Logger | undefined;

export function setTraceLog(log: Logger | undefined): void {
  traceLog = log && log.level === 'debug' ? log : undefined;
  traceLibraryHttp(traceLog !== undefined);
}

export function tracing(): boolean {
  return traceLog !== undefined;
}

const ms = (started: number) => Math.round((performance.now() - started) * 10) / 10;

/** One line of SQL text, its literals masked, at most 500 characters. */
export function sqlForLog(sql: string, dialect: 'postgres' | 'mysql'): string {
  const flat = redactSqlLiterals(sql, dialect).replace(/\s+/g, ' ').trim();
  return flat.length > 500 ? `${flat.slice(0, 500)}…` : flat;
}

/** Runs one SQL call and, when tracing, logs it: `sql` with db, statement, parameter count, rows, ms. */
export async function traceSql<T>(
  where: { engine: string; db: string; dialect: 'postgres' | 'mysql' },
  sql: string,
  params: readonly unknown[] | undefined,
  run: () => Promise<T>,
): Promise<T> {
  const log = traceLog;
  if (!log) return run();
  const started = performance.now();
  const fields = () => ({
    engine: where.engine,
    db: where.db,
    sql: sqlForLog(sql, where.dialect),
    ...(params?.length ? { params: params.length } : {}),
    ms: ms(started),
  });
  try {
    const result = await run();
    log.debug('sql', { ...fields(), ...(Array.isArray(result) ? { rows: result.length } : {}) });
    return result;
  } catch (error) {
    log.debug('sql failed', { ...fields(), error: (error as Error).message });
    throw error;
  }
}

/**
 * `fetch` that logs the call when tracing: method, host, path (no query string: it may carry a token), status and
 * duration, or the error.
 */
export async function tracedFetch(input: string | URL, init?: RequestInit): Promise<Response> {
  const log = traceLog;
  if (!log) return fetch(input, init);
  const url = new URL(String(input));
  const fields = { method: (init?.method ?? 'GET').toUpperCase(), host: url.host, path: url.pathname };
  const started = performance.now();
  try {
    const response = await fetch(input, init);
    log.debug('http', { ...fields, status: response.status, ms: ms(started) });
    return response;
  } catch (error) {
    log.debug('http failed', { ...fields, ms: ms(started), error: (error as Error).message });
    throw error;
  }
}

/**
 * Logs an external tool's start: its argv with every URL's credentials masked (opsctl passes passwords through the
 * environment or a 0600 file, never argv, and the logger's redactor masks registered secrets on top).
 */
export function traceExec(tool: string, args: readonly string[]): void {
  if (!traceLog) return;
  traceLog.debug('exec', { tool, argv: args.map((a) => (/^[a-z][a-z0-9+.-]*:\/\//i.test(a) ? redactUrl(a) : a)) });
}

type SqlWhere = { engine: string; db: string; dialect: 'postgres' | 'mysql' };
type AnyFn = (...args: never[]) => unknown;

/**
 * The object with its SQL methods traced (`methods`: the ones whose first argument is SQL text and second, if any,
 * the parameters); everything else passes through to the object itself, bound, so classes with private state work.
 * Returns the object untouched when tracing is off.
 */
export function withSqlTrace<T extends object>(target: T, where: SqlWhere, methods: readonly (keyof T)[]): T {
  if (!traceLog) return target;
  const wrapped = new Map<PropertyKey, unknown>();
  for (const name of methods) {
    const fn = target[name];
    if (typeof fn !== 'function') continue;
    wrapped.set(name, (sql: string, params?: unknown[], ...rest: unknown[]) =>
      traceSql(where, sql, Array.isArray(params) ? params : undefined, () =>
        Promise.resolve((fn as AnyFn as (...a: unknown[]) => unknown).call(target, sql, params, ...rest)),
      ),
    );
  }
  return new Proxy(target, {
    get(obj, prop) {
      if (wrapped.has(prop)) return wrapped.get(prop);
      const value = Reflect.get(obj, prop, obj) as unknown;
      return typeof value === 'function' ? (value as AnyFn).bind(obj) : value;
    },
  });
}

/**
 * HTTP calls made by libraries on node:http (the BigQuery client through gaxios, the Telegram client through request)
 * never pass through tracedFetch: Node publishes them on its `http.client.*` diagnostics channels, so listening there
 * traces every one of them with the same fields. opsctl's own fetch calls (undici) are not on these channels, so
 * nothing is logged twice, and load tests (autocannon, undici pools) stay out of the trace.
 */
const httpStarted = new WeakMap<object, number>();
type RequestMessage = { request: ClientRequest };

function requestFields(req: ClientRequest) {
  const pathOnly = (req.path ?? '/').split('?')[0]!;
  return {
    method: req.method,
    // The Host header carries the port as tracedFetch's URL.host does; req.host is the name alone.
    host: String(req.getHeader('host') ?? req.host),
    // Telegram's Bot API carries the token in the path (/bot<token>/getUpdates).
    path: pathOnly.replace(/^\/bot[^/]+/, '/bot***'),
  };
}

const onHttpStart = (message: unknown) => {
  httpStarted.set((message as RequestMessage).request, performance.now());
};
const onHttpResponse = (message: unknown) => {
  const { request, response } = message as RequestMessage & { response: IncomingMessage };
  const started = httpStarted.get(request);
  traceLog?.debug('http', {
    ...requestFields(request),
    status: response.statusCode,
    ...(started === undefined ? {} : { ms: ms(started) }),
  });
};
const onHttpError = (message: unknown) => {
  const { request, error } = message as RequestMessage & { error: Error };
  const started = httpStarted.get(request);
  traceLog?.debug('http failed', {
    ...requestFields(request),
    ...(started === undefined ? {} : { ms: ms(started) }),
    error: error.message,
  });
};
const HTTP_CHANNELS: Array<[string, (message: unknown) => void]> = [
  ['http.client.request.start', onHttpStart],
  ['http.client.response.finish', onHttpResponse],
  ['http.client.request.error', onHttpError],
];
let httpTraced = false;

function traceLibraryHttp(on: boolean): void {
  if (on === httpTraced) return;
  httpTraced = on;
  for (const [channel, listener] of HTTP_CHANNELS) {
    if (on) diagnostics.subscribe(channel, listener);
    else diagnostics.unsubscribe(channel, listener);
  }
}
