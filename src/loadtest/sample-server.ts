import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small local HTTP endpoint with known behaviour: the demo's load-test target, and the server the tests and the
 * benchmark measure against. It answers every request after `delayMs`; every `errorEvery`-th request gets a 500; once,
 * at request number `stallAt`, it stalls for `stallMs`: that request and every one arriving during the stall are held
 * until it ends.
 */
export interface SampleServerOptions {
  delayMs?: number;
  errorEvery?: number;
  stallAt?: number;
  stallMs?: number;
  host?: string;
  port?: number;
}

export interface SampleServer {
  url: string;
  port: number;
  /** Requests received so far. */
  received(): number;
  /** How long each answer was actually held, in ms (timers fire late on a busy machine): what a client should report. */
  held(): number[];
  close(): Promise<void>;
}

const BODY = Buffer.from(
  JSON.stringify({
    recommendations: [
      { id: 1, score: 0.93 },
      { id: 7, score: 0.88 },
      { id: 42, score: 0.81 },
    ],
  }),
);

export async function startSampleServer(options: SampleServerOptions = {}): Promise<SampleServer> {
  let count = 0;
  let stallUntil = 0;
  const held: number[] = [];
  const server: Server = createServer((req, res) => {
    count++;
    const arrived = performance.now();
    const n = count;
    const now = Date.now();
    if (options.stallAt && n === options.stallAt) stallUntil = now + (options.stallMs ?? 1000);
    const status = options.errorEvery && n % options.errorEvery === 0 ? 500 : 200;
    const wait = Math.max(options.delayMs ?? 0, stallUntil > now ? stallUntil - now : 0);
    const answer = () => {
      if (held.length < 100_000) held.push(performance.now() - arrived);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': BODY.length });
      res.end(BODY);
    };
    // Drain the request body first, so POSTs are read like a real service would.
    req.resume();
    req.on('end', () => (wait > 0 ? setTimeout(answer, wait) : answer()));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/`,
    port,
    received: () => count,
    held: () => [...held],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
