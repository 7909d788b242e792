import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The demo's own HTTP service, instrumented like the seeds' services: real prom-client metrics (a request-duration
 * histogram and a request counter by route and status, process and Node metrics from collectDefaultMetrics, two
 * business metrics), `/health`, and an API route that answers in a few milliseconds and fails one request in 50.
 * `opsctl demo` runs it for the demo's duration so `opsctl health` and the console have a live service to read.
 */
export interface DemoService {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startDemoService(options: { port?: number; host?: string } = {}): Promise<DemoService> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer a request, by route and status',
    labelNames: ['route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
    registers: [registry],
  });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'Requests answered, by route and status',
    labelNames: ['route', 'status'],
    registers: [registry],
  });
  const orders = new Counter({ name: 'demo_orders_total', help: 'Orders placed', registers: [registry] });
  const users = new Gauge({ name: 'demo_active_users', help: 'Users active now', registers: [registry] });
  users.set(12);
  let served = 0;

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      void registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(text);
      });
      return;
    }
    if (path === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok","database":"connected"}');
      return;
    }
    if (path !== '/api/recommendations') {
      res.writeHead(404).end();
      return;
    }
    const end = duration.startTimer({ route: path });
    const n = ++served;
    setTimeout(
      () => {
        const status = n % 50 === 0 ? 500 : 200;
        if (status === 200 && n % 4 === 0) orders.inc();
        users.set(10 + (n % 7));
        requests.inc({ route: path, status: String(status) });
        end({ status: String(status) });
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(status === 200 ? '{"recommendations":[1,7,42]}' : '{"error":"upstream timeout"}');
      },
      2 + (n % 9),
    );
  });
  // Longer than the client's keep-alive (fetch keeps idle sockets 4 s): a socket the server closes just as the next
  // probe reuses it would read ECONNRESET.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
