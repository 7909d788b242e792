import { bytes, latency, percent, rate } from '../../../src/format.js';
import { serviceReport } from '../../../src/health/checks/services.js';
import { watchedText } from '../../../src/health/services/vitals.js';
import { dbTop } from '../../db/vitals.js';
import { health } from '../../health.js';
import { invoke, type OperationContext } from '../../operation.js';
import type { DemoStep } from '../step.js';

/** The demo service's fixed port, so the workspace's services.demo names a real URL; another free port if taken. */
export const DEMO_SERVICE_PORT = 47181;
const demoUrl = (port: number) => `http://127.0.0.1:${port}`;

/** Requests to the demo service's API route, two at a time, until the returned function is called. */
function traffic(url: string): () => Promise<void> {
  let stopped = false;
  let sent = 0;
  const worker = async () => {
    while (!stopped) {
      sent++;
      await fetch(`${url}/api/recommendations?user=${sent % 100}`)
        .then((r) => r.arrayBuffer())
        .catch(() => undefined);
    }
  };
  const workers = [worker(), worker()];
  return async () => {
    stopped = true;
    await Promise.all(workers);
  };
}

/**
 * The fixed port was taken: the demo's own runtime (nobody else's) reads services.demo at this other port. The
 * workspace file keeps the fixed one, which is right the next time the port is free.
 */
function pointAt(ctx: OperationContext, url: string): void {
  const demo = ctx.config.services.demo;
  if (!demo) return;
  for (const endpoint of demo.health) endpoint.url = `${url}/health`;
  if (demo.metrics) demo.metrics.url = `${url}/metrics`;
}

/**
 * The post-deployment watch on the demo: a small HTTP service with real prom-client metrics and /health runs for the
 * demo's duration (services.demo); this step sends it traffic, runs one `opsctl health` round over it and the PGlite
 * target, and reads the target's vitals (`opsctl db top local`), which say what an embedded PGlite cannot report.
 */
export const healthStep: DemoStep = {
  name: 'health: service and database vitals',
  configure(ws) {
    const url = demoUrl(DEMO_SERVICE_PORT);
    ws.services = {
      demo: {
        description:
          'the demo service that `opsctl demo` runs while it runs (down afterwards: a warning, not critical)',
        severity: 'warning',
        health: [{ url: `${url}/health`, body: '"status":"ok"' }],
        metrics: { url: `${url}/metrics`, window: '1s' },
        interval: '5s',
        thresholds: { errorRate: 5 },
        watch: [
          { metric: 'demo_orders_total', per: 'minute', label: 'orders' },
          { metric: 'demo_active_users', label: 'active users', below: 1 },
        ],
      },
    };
  },
  async start(ctx) {
    const { startDemoService } = await import('../../../src/health/services/demo-service.js');
    const service = await startDemoService({ port: DEMO_SERVICE_PORT }).catch(() => startDemoService());
    if (service.port !== DEMO_SERVICE_PORT) pointAt(ctx, demoUrl(service.port));
    return () => service.close();
  },
  async run(ctx) {
    const url = ctx.config.services.demo!.health[0]!.url.replace(/\/health$/, '');
    const stop = traffic(url);
    let round;
    try {
      round = await invoke(health, ctx, { services: ['demo'], targets: ['local'], timeoutMs: 30_000 });
    } finally {
      await stop();
    }
    const component = round.components.find((c) => c.id === 'service:demo')!;
    const report = serviceReport(component);
    if (component.status !== 'up' || !report?.vitals)
      throw new Error(`service demo ${component.status}: ${component.error ?? report?.metricsError ?? 'no metrics'}`);
    const v = report.vitals;
    const crossed = round.crossed.length ? `; crossed: ${round.crossed.map((x) => x.text).join(', ')}` : '';
    const top = await invoke(dbTop, ctx, { target: 'local' });
    return [
      `service demo up: ${rate(v.rps)}, errors ${percent(v.errorRate)}, p95 ${latency(v.p95Ms)}, CPU ${percent(v.cpuPercent)}, RSS ${bytes(v.rssBytes)}, ${v.watched.map((w) => `${w.label} ${watchedText(w)}`).join(', ')}${crossed} (opsctl health)`,
      `target local (PGlite): ${top.connections.inUse} of ${top.connections.max} connections, ${top.queries.length} running queries; ${top.notes.join(' ')} (opsctl db top local)`,
    ].join('; ');
  },
};
