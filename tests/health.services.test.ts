import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Histogram, Registry } from 'prom-client';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { run } from '../commands/catalog.js';
import { createRuntime, type Runtime } from '../commands/runtime.js';
import { loadConfig } from '../src/config/load.js';
import { ConfigError } from '../src/errors.js';
import { serviceReport } from '../src/health/checks/services.js';
import { serviceMemory } from '../src/health/services/probe.js';
import { histogramQuantile, parseExposition } from '../src/health/services/prometheus.js';
import { silentLogger } from '../src/log/logger.js';
import { FakeService } from './fakes/service.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

function runtimeFor(services: Record<string, unknown>, extra: Record<string, unknown> = {}): Runtime {
  const home = tempDir('opsctl-health-');
  const loaded = loadConfig({ fileConfig: { home, targets: {}, services, ...extra }, isolated: true, cwd: home });
  return createRuntime({ loaded, log: silentLogger, trigger: 'cli' });
}

const svc = (fake: FakeService, extra: Record<string, unknown> = {}) => ({
  health: [`${fake.url}/health`],
  metrics: { url: `${fake.url}/metrics`, window: '200ms' },
  timeout: '1s',
  interval: '5s',
  ...extra,
});

test('a labelled prom-client histogram keeps every series through the parser', async () => {
  const registry = new Registry();
  const h = new Histogram({
    name: 'req_duration_seconds',
    help: 'x',
    labelNames: ['route'],
    buckets: [0.1, 1],
    registers: [registry],
  });
  h.observe({ route: '/a' }, 0.05);
  h.observe({ route: '/a' }, 0.5);
  h.observe({ route: '/b' }, 2);
  const scrape = parseExposition(await registry.metrics());
  const series = scrape.histograms.get('req_duration_seconds')!;
  assert.is(series.length, 2);
  const a = series.find((s) => s.labels.route === '/a')!;
  assert.equal(
    a.buckets.map((b) => [b.le, b.count]),
    [
      [0.1, 1],
      [1, 2],
      [Infinity, 2],
    ],
  );
  assert.is(a.count, 2);
  assert.ok(Math.abs(a.sum - 0.55) < 1e-9);
  assert.is(series.find((s) => s.labels.route === '/b')!.count, 1);
  assert.not.ok(scrape.series.has('req_duration_seconds_bucket'));
});

test('histogramQuantile interpolates like Prometheus', () => {
  const buckets = [
    { le: 0.1, count: 50 },
    { le: 0.5, count: 90 },
    { le: 1, count: 100 },
    { le: Infinity, count: 100 },
  ];
  assert.ok(Math.abs(histogramQuantile(0.5, buckets)! - 0.1) < 1e-9);
  assert.ok(Math.abs(histogramQuantile(0.7, buckets)! - 0.3) < 1e-9);
  assert.ok(Math.abs(histogramQuantile(0.95, buckets)! - 0.75) < 1e-9);
  assert.is(histogramQuantile(0.99, [{ le: 1, count: 0 }]), undefined);
  // A rank in the +Inf bucket answers the highest finite bound.
  assert.is(
    histogramQuantile(0.99, [
      { le: 1, count: 5 },
      { le: Infinity, count: 10 },
    ]),
    1,
  );
});

test('a bad service config names the field and the fix', () => {
  const bad = (services: unknown) => {
    try {
      loadConfig({ fileConfig: { services }, isolated: true });
    } catch (error) {
      assert.instance(error, ConfigError);
      return (error as ConfigError).message;
    }
    throw new Error('config loaded');
  };
  assert.match(bad({ api: { health: ['ftp://x/health'] } }), /services\.api\.health\.0\.url.*http:\/\/ or https:\/\//);
  assert.match(bad({ api: {} }), /services\.api\.health.*needs health URLs, a metrics URL, or both/);
  assert.match(
    bad({ api: { health: ['http://x/h'], thresholds: { rss: '7 gigs' } } }),
    /services\.api\.thresholds\.rss.*size like 7GB/,
  );
  assert.match(bad({ api: { health: ['http://x/h'], thresholds: { p95: 'fast' } } }), /services\.api\.thresholds\.p95/);
  assert.match(bad({ Api: { health: ['http://x/h'] } }), /services\.Api.*not a valid name/);
});

test('healthy traffic: rates and percentiles over the scrape window, watched metrics, nothing crossed', async () => {
  const fake = await new FakeService().start();
  const rt = runtimeFor({
    shop: svc(fake, {
      watch: [
        { metric: 'jewelry_invoices_created_total', per: 'hour', label: 'invoices' },
        { metric: 'jewelry_active_users', label: 'active users', below: 1 },
      ],
    }),
  });
  try {
    serviceMemory.clear();
    fake.rss.set(200e6);
    fake.activeUsers.set(7);
    // The traffic lands inside the one-off check's window (two scrapes 200 ms apart).
    fake.afterScrape = (n) => {
      if (n !== 1) return;
      fake.record(90, 0.03);
      fake.record(10, 0.2);
      fake.invoices.inc(3);
      fake.cpu.inc(0.05);
    };
    const r = await run('health', rt, {});
    const report = serviceReport(r.components[0]!)!;
    const v = report.vitals!;
    assert.ok(r.ok, JSON.stringify({ crossed: r.crossed, down: r.down, c: r.components }));
    assert.is(report.endpoints[0]!.status, 200);
    assert.ok(v.windowMs >= 190 && v.windowMs < 1_000, String(v.windowMs));
    assert.ok(Math.abs(v.rps! - 100 / (v.windowMs / 1000)) < 1e-6);
    assert.is(v.errorRate, 0);
    assert.ok(v.p50Ms! > 10 && v.p50Ms! <= 50, String(v.p50Ms));
    assert.ok(v.p99Ms! > 100 && v.p99Ms! <= 250, String(v.p99Ms));
    assert.is(v.rssBytes, 200e6);
    assert.ok(Math.abs(v.cpuPercent! - (0.05 / (v.windowMs / 1000)) * 100) < 1e-6);
    const invoices = v.watched.find((w) => w.label === 'invoices')!;
    assert.is(invoices.show, 'rate');
    assert.ok(Math.abs(invoices.value! - (3 / (v.windowMs / 1000)) * 3600) < 1e-6);
    assert.is(v.watched.find((w) => w.label === 'active users')!.value, 7);
  } finally {
    await rt.close();
    await fake.stop();
  }
});

test('slow, erroring, heavy and down services each cross their threshold; watch rounds compare with the last', async () => {
  const fake = await new FakeService().start();
  const rt = runtimeFor({
    shop: svc(fake, {
      thresholds: { rss: '7GB', errorRate: 5, cpu: 90, cpuFor: '0ms' },
      watch: [{ metric: 'jewelry_active_users', label: 'active users', below: 1 }],
    }),
  });
  const round = async () => run('health', rt, {});
  const keys = (r: Awaited<ReturnType<typeof round>>) => r.crossed.map((x) => x.key).sort();
  try {
    serviceMemory.clear();
    fake.activeUsers.set(3);
    let r = await round(); // baseline: two scrapes, no traffic
    assert.ok(r.ok, JSON.stringify(r.crossed));

    // The next round compares with this one's scrape (kept in memory), as --watch does.
    fake.record(100, 3);
    r = await round();
    assert.equal(keys(r), ['p95', 'p99']);
    assert.match(r.crossed[0]!.text, /p95 .*ms > 2000 ms/);

    fake.record(90, 0.02);
    fake.record(10, 0.02, '500');
    r = await round();
    assert.equal(keys(r), ['errorRate']);
    assert.ok(Math.abs(serviceReport(r.components[0]!)!.vitals!.errorRate! - 10) < 1e-9);

    fake.rss.set(8e9);
    fake.cpu.inc(10);
    fake.activeUsers.set(0);
    r = await round();
    assert.equal(keys(r), ['cpu', 'rss', 'watch:active users']);
    fake.rss.set(1e9);
    fake.activeUsers.set(2);

    fake.health = 'error';
    r = await round();
    assert.equal(r.down, ['service shop']);
    assert.match(r.components[0]!.error!, /answered 503, expected 200/);

    fake.health = 'down-body';
    const rt2 = runtimeFor({ shop: svc(fake, { health: [{ url: `${fake.url}/health`, body: '"status":"ok"' }] }) });
    r = await run('health', rt2, {});
    await rt2.close();
    assert.match(r.components[0]!.error!, /body does not contain "status":"ok"/);

    fake.health = 'slow';
    fake.slowMs = 1_500;
    r = await round();
    assert.match(r.components[0]!.error!, /no answer within 1\.0s/);
    fake.health = 'ok';

    await fake.stop();
    r = await round();
    // A kept-alive socket the service closed may be the one that notices first.
    assert.match(r.components[0]!.error!, /connection refused|connection closed by the service/);
    assert.not.ok(r.ok);
  } finally {
    await rt.close();
    await fake.stop();
  }
});

test('opsctl health: exit 1 on a crossed threshold, 0 when healthy; validate --only services', async () => {
  const fake = await new FakeService().start();
  const dir = tempDir('opsctl-health-cli-');
  const write = (thresholds: Record<string, unknown>) =>
    writeFileSync(
      join(dir, 'opsctl.config.json'),
      JSON.stringify({ home: join(dir, 'home'), targets: {}, services: { shop: svc(fake, { thresholds }) } }),
    );
  try {
    fake.rss.set(8e9);
    write({});
    let r = await runCli(['health', '--json'], { cwd: dir });
    assert.is(r.code, 1, r.stderr);
    assert.equal(
      JSON.parse(r.stdout).crossed.map((x: { key: string }) => x.key),
      ['rss'],
    );
    write({ rss: '9GB' });
    r = await runCli(['health'], { cwd: dir });
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /SERVICE\s+STATUS/);
    assert.match(r.stdout, /shop\s+up\s+1\/1 ok/);
    r = await runCli(['validate', '--only', 'services', '--json'], { cwd: dir });
    assert.is(r.code, 0, r.stdout);
    assert.is(JSON.parse(r.stdout).checks[0].name, 'service shop');
    await fake.stop();
    r = await runCli(['validate', '--only', 'services', '--json'], { cwd: dir });
    assert.is(r.code, 1);
    assert.match(JSON.parse(r.stdout).checks[0].reason, /connection refused/);
  } finally {
    await fake.stop();
  }
});

test.run();
