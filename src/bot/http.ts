import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConnectionError, errorMessage } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { redactor } from '../log/redact.js';

export interface HealthHandlers {
  /**
   * The /health document and whether the bot is ready (503 when not): statuses only, or with the details
   * (locations, versions, error texts) when `detailed`.
   */
  health(detailed: boolean): Promise<{ ready: boolean; body: unknown }>;
  /** /health/ready: only the dependencies the bot needs to work (state store, Telegram). */
  ready(detailed: boolean): Promise<{ ready: boolean; body: unknown }>;
  /** Who gets the details of /health and /health/ready (default: nobody). */
  access?: HealthAccess;
  metrics(): Promise<{ contentType: string; body: string }>;
  /** Webhook mode: Telegram posts updates here; `onUpdate` returns false while the bot is stopping (Telegram retries). */
  webhook?: { path: string; secretToken: string; onUpdate(update: unknown): boolean };
  log: Logger;
}

/** bot.health: details for everyone, or only for requests with `Authorization: Bearer <token>`. */
export interface HealthAccess {
  details: boolean;
  token?: string | undefined;
}

const MAX_BODY = 1 << 20;

/**
 * The bot's HTTP face, as the seeds' services have it: /health (JSON), /health/live, /health/ready (503 while a
 * dependency is down), /metrics (Prometheus text), and in webhook mode the path Telegram posts updates to.
 */
export function createHealthServer(handlers: HealthHandlers): Server {
  const server = createServer((req, res) => {
    route(handlers, req, res).catch((error: unknown) => {
      handlers.log.error('bot: http handler failed', { path: req.url, error: errorMessage(error) });
      if (!res.headersSent) json(res, 500, { error: 'internal error' });
      else res.end();
    });
  });
  server.keepAliveTimeout = 5_000;
  return server;
}

async function route(h: HealthHandlers, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const method = req.method ?? 'GET';
  if (h.webhook && path === h.webhook.path) {
    if (method !== 'POST') return json(res, 405, { error: 'POST only' }, { allow: 'POST' });
    if (!secretMatches(req.headers['x-telegram-bot-api-secret-token'], h.webhook.secretToken)) {
      h.log.warn('bot: webhook request without the right secret token', { remote: req.socket.remoteAddress });
      return json(res, 401, { error: 'bad secret token' });
    }
    const body = await readBody(req);
    let update: unknown;
    try {
      update = JSON.parse(body);
    } catch {
      return json(res, 400, { error: 'body is not JSON' });
    }
    if (!h.webhook.onUpdate(update)) return json(res, 503, { error: 'stopping' }, { 'retry-after': '5' });
    return json(res, 200, { ok: true });
  }
  const routes: Record<string, () => Promise<void>> = {
    '/health': async () => {
      const detailed = detailsAllowed(h, req, res);
      if (detailed === undefined) return;
      const r = await h.health(detailed);
      json(res, r.ready ? 200 : 503, r.body);
    },
    '/health/live': async () => json(res, 200, { status: 'alive' }),
    '/health/ready': async () => {
      const detailed = detailsAllowed(h, req, res);
      if (detailed === undefined) return;
      const r = await h.ready(detailed);
      json(res, r.ready ? 200 : 503, r.body);
    },
    '/metrics': async () => {
      const m = await h.metrics();
      send(res, 200, m.body, m.contentType);
    },
  };
  const handler = routes[path];
  if (!handler) return json(res, 404, { error: 'not found', paths: Object.keys(routes) });
  if (method !== 'GET' && method !== 'HEAD') return json(res, 405, { error: 'GET only' }, { allow: 'GET, HEAD' });
  return handler();
}

/**
 * Whether this request may see the details: bot.health.details, or the right bearer token. A wrong token is answered
 * 401 here (and undefined returned), so a monitor with a stale token notices instead of silently losing the details.
 */
function detailsAllowed(h: HealthHandlers, req: IncomingMessage, res: ServerResponse): boolean | undefined {
  const token = h.access?.token;
  const header = req.headers.authorization;
  if (token && typeof header === 'string' && /^bearer(\s|$)/i.test(header)) {
    if (sameSecret(header.replace(/^bearer\s*/i, '').trim(), token)) return true;
    h.log.warn('bot: health request with a wrong bearer token', { path: req.url, remote: req.socket.remoteAddress });
    json(res, 401, { error: 'bad bearer token' }, { 'www-authenticate': 'Bearer' });
    return undefined;
  }
  return h.access?.details ?? false;
}

/** Constant-time comparison that does not reveal the secret's length either (both sides hashed first). */
function sameSecret(given: string, secret: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(secret));
}

function secretMatches(header: string | string[] | undefined, secret: string): boolean {
  return typeof header === 'string' && sameSecret(header, secret);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(
  res: ServerResponse,
  status: number,
  body: string,
  contentType: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(res, status, redactor.redact(JSON.stringify(body)), 'application/json; charset=utf-8', headers);
}

/** Starts the server on `host:port` (0: a free port) and says where it answers. */
export async function serveHealth(
  handlers: HealthHandlers,
  options: { host: string; port: number },
): Promise<{ server: Server; url: string; port: number; bound: string; wide: boolean }> {
  const server = createHealthServer(handlers);
  const address = await listen(server, options.port, options.host);
  const { host } = options;
  const shownHost =
    host === '0.0.0.0' || host === '::' || host === ''
      ? '127.0.0.1'
      : address.family === 'IPv6'
        ? `[${address.address}]`
        : address.address;
  // The address it really listens on (what the log says), and whether that is every interface.
  const bound = `${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  const wide = address.address === '0.0.0.0' || address.address === '::';
  return { server, url: `http://${shownHost}:${address.port}`, port: address.port, bound, wide };
}

/** Listens and resolves with the address; a port in use is a clear error. */
export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(
        new ConnectionError(
          `cannot listen on ${host}:${port}: ${error.code === 'EADDRINUSE' ? 'the port is in use' : error.message}`,
          {
            hint: 'Pick another port with bot.port (OPSCTL_BOT_PORT) or --port, or stop what listens there.',
            cause: error,
          },
        ),
      );
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Stops accepting, ends idle keep-alive connections, and resolves when the server is closed. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeIdleConnections();
    // A scrape still running gets a moment to finish; then everything is closed.
    setTimeout(() => server.closeAllConnections(), 2_000).unref();
  });
}
