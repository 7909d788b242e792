// One `opsctl health` round (the registry's checkHealth over 10 services and 3 database targets) against the slowest
// single probe of the same components, measured alone in the same run: probes run concurrently with their own
// timeouts, so the round should cost about its slowest member. The services are local HTTP servers with real
// prom-client metrics, each answering after its own scripted delay (40 ms to 265 ms); five have metrics (two scrapes
// 200 ms apart). Targets: PostgreSQL (two databases) and MariaDB on 127.0.0.1. Target ≤ 1.5×.
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { Counter, Histogram, Registry } from 'prom-client';
import { median, verdict, writeResult } from './lib.mjs';

const dist = new URL('../dist/', import.meta.url);
const { loadConfig } = await import(new URL('src/config/load.js', dist));
const { checkHealth, healthChecks, runCheck } = await import(new URL('src/health/registry.js', dist));
const { serviceMemory } = await import(new URL('src/health/services/probe.js', dist));
const { createRuntime } = await import(new URL('commands/runtime.js', dist));
const { silentLogger } = await import(new URL('src/log/logger.js', dist));

const PG = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const MYSQL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const ROUNDS = Number(process.env.BENCH_RUNS ?? 5);

function startService(delayMs) {
  const registry = new Registry();
  const h = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'd',
    labelNames: ['status'],
    registers: [registry],
  });
  const c = new Counter({ name: 'http_requests_total', help: 'r', labelNames: ['status'], registers: [registry] });
  const server = createServer((req, res) => {
    setTimeout(async () => {
      h.observe({ status: '200' }, delayMs / 1000);
      c.inc({ status: '200' });
      if (req.url === '/metrics') res.end(await registry.metrics());
      else res.end('{"status":"ok"}');
    }, delayMs);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, port: server.address().port })),
  );
}

const servers = await Promise.all(Array.from({ length: 10 }, (_, i) => startService(40 + 25 * i)));
const services = Object.fromEntries(
  servers.map(({ port }, i) => [
    `svc${i}`,
    {
      health: [`http://127.0.0.1:${port}/health`],
      ...(i % 2 ? { metrics: { url: `http://127.0.0.1:${port}/metrics`, window: '200ms' } } : {}),
      timeout: '2s',
    },
  ]),
);
const pgOther = new URL(PG);
pgOther.pathname = '/postgres';
const targets = {
  app: { engine: 'postgres', url: PG },
  admin: { engine: 'postgres', url: pgOther.toString() },
  reco: { engine: 'mysql', url: MYSQL },
};
const loaded = loadConfig({ fileConfig: { home: '/tmp/opsctl-bench-health', targets, services }, isolated: true });
const ctx = createRuntime({ loaded, log: silentLogger, trigger: 'cli' });
const filter = (c) => c.group === 'service' || c.group === 'target';
const checks = healthChecks(loaded.config, { filter });

const time = async (fn) => {
  serviceMemory.clear(); // every probe does its full one-off work (both scrapes) each time
  const t0 = performance.now();
  const out = await fn();
  return { ms: performance.now() - t0, out };
};

// Warm-up: driver modules loaded, connections possible.
await checkHealth(ctx, { filter, timeoutMs: 10_000 });

const single = {};
for (const check of checks) {
  const times = [];
  for (let i = 0; i < ROUNDS; i++) {
    const { ms, out } = await time(() => runCheck(check, ctx, { timeoutMs: 10_000 }));
    if (out.status !== 'up') throw new Error(`${check.label} is ${out.status}: ${out.error}`);
    times.push(ms);
  }
  single[check.label] = median(times);
}
const [slowestLabel, slowest] = Object.entries(single).sort(([, a], [, b]) => b - a)[0];
const roundTimes = [];
for (let i = 0; i < ROUNDS; i++) {
  const { ms, out } = await time(() => checkHealth(ctx, { filter, timeoutMs: 10_000 }));
  if (out.some((c) => c.status !== 'up')) throw new Error('a component went down during the round');
  roundTimes.push(ms);
}
const round = median(roundTimes);
for (const { server } of servers) server.close();
await ctx.close();

console.log(
  `components: ${checks.length} (${Object.keys(services).length} services, ${Object.keys(targets).length} targets)`,
);
console.log(`slowest single probe: ${slowestLabel} ${slowest.toFixed(1)} ms (median of ${ROUNDS})`);
console.log(`one round, all at once: ${round.toFixed(1)} ms (median of ${ROUNDS}); load ${loadavg()[0].toFixed(2)}`);
const ratio = round / slowest;
const ok = verdict('health round / slowest single probe', ratio, 1.5);
writeResult('health', {
  measures: 'one opsctl health round over 10 services + 3 targets against the slowest single probe alone',
  metrics: [
    { label: 'round / slowest probe', value: Math.round(ratio * 100) / 100, unit: 'x', target: 1.5, better: 'lower' },
    { label: 'round', value: Math.round(round), unit: 'ms' },
    { label: 'slowest probe', value: Math.round(slowest), unit: 'ms' },
  ],
  details: { single, slowest: slowestLabel },
});
process.exit(ok ? 0 : 1);
