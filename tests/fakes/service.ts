import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export type HealthMode = 'ok' | 'slow' | 'error' | 'down-body';

/**
 * A service whose answers the test scripts: /health answers ok, slowly, 503 or 200 with a body that says it is down;
 * /metrics is real prom-client output (a labelled request histogram and counter, process CPU and RSS, the invoice
 * bot's business metrics) whose values the test sets between two scrapes. `stop()` makes it refuse connections.
 */
export class FakeService {
  readonly registry = new Registry();
  readonly duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'request duration',
    labelNames: ['route', 'status'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
    registers: [this.registry],
  });
  readonly requests = new Counter({
    name: 'http_requests_total',
    help: 'requests',
    labelNames: ['route', 'status'],
    registers: [this.registry],
  });
  readonly cpu = new Counter({ name: 'process_cpu_seconds_total', help: 'cpu', registers: [this.registry] });
  readonly rss = new Gauge({ name: 'process_resident_memory_bytes', help: 'rss', registers: [this.registry] });
  readonly invoices = new Counter({
    name: 'jewelry_invoices_created_total',
    help: 'invoices',
    registers: [this.registry],
  });
  readonly activeUsers = new Gauge({ name: 'jewelry_active_users', help: 'users', registers: [this.registry] });

  health: HealthMode = 'ok';
  slowMs = 1_500;
  /** Delay before every answer (a bench's scripted latency). */
  delayMs = 0;
  /** Called after each /metrics answer with how many there have been (to land traffic between two scrapes). */
  afterScrape: ((scrapes: number) => void) | undefined;
  private scrapes = 0;
  private server: Server | undefined;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => {
      const answer = async () => {
        if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
        if (req.url === '/metrics') {
          res.setHeader('content-type', this.registry.contentType);
          res.end(await this.registry.metrics());
          this.afterScrape?.(++this.scrapes);
          return;
        }
        if (req.url === '/health') {
          if (this.health === 'slow') await new Promise((r) => setTimeout(r, this.slowMs));
          if (this.health === 'error') {
            res.statusCode = 503;
            res.end('{"status":"unhealthy"}');
            return;
          }
          res.setHeader('content-type', 'application/json');
          res.end(this.health === 'down-body' ? '{"status":"degraded","database":"disconnected"}' : '{"status":"ok"}');
          return;
        }
        res.statusCode = 404;
        res.end('not found');
      };
      void answer();
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** `n` requests that took `seconds` each and answered `status`. */
  record(n: number, seconds: number, status = '200', route = '/api'): void {
    for (let i = 0; i < n; i++) this.duration.observe({ route, status }, seconds);
    this.requests.inc({ route, status }, n);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
