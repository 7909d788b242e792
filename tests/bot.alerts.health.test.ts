import pg from 'pg';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { healthSource } from '../src/bot/alerts/health.js';
import { serviceMemory } from '../src/health/services/probe.js';
import { FakeService } from './fakes/service.js';
import { startHarness, TEAM_CHAT, type BotHarness } from './helpers/bot.js';
import { createPgDatabase } from './helpers/databases.js';

const alertsTo = (h: BotHarness) => h.fake.sentTo(TEAM_CHAT).map((m) => m.text);

/** The messages a round sent, in order. */
async function round(h: BotHarness): Promise<string[]> {
  const before = alertsTo(h).length;
  await h.service.alerts.check();
  return alertsTo(h).slice(before);
}

/** Client connections on the whole server, as readConnections counts them. */
async function inUse(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_stat_activity WHERE backend_type = 'client backend'",
    );
    return Number(rows[0]!.n) - 1; // this one
  } finally {
    await c.end();
  }
}

const titles = (messages: string[]) => messages.map((m) => m.split('\n')[0]).sort();

test('a scripted service (slow, erroring, heavy, down) and a target near its connection limit: each alert once, then its recovery', async () => {
  const fake = await new FakeService().start();
  const db = await createPgDatabase('opsctl_alerth');
  const holders: pg.Client[] = [];
  // Connections are counted server-wide and other suites (or other people's tests) use the server too: the limit sits
  // 25 above what is in use now, and the test holds 35 more (the mid-session run saw 8 strangers' connections appear).
  let h: BotHarness | undefined;
  try {
    const baseline = await inUse(db.url);
    serviceMemory.clear();
    fake.activeUsers.set(3);
    h = await startHarness({
      sources: [healthSource],
      config: {
        targets: { app: { engine: 'postgres', url: db.url } },
        health: { connections: { max: baseline + 25, percent: 100 } },
        services: {
          shop: {
            health: [`${fake.url}/health`],
            metrics: { url: `${fake.url}/metrics`, window: '200ms' },
            timeout: '1s',
            interval: '10s',
            thresholds: { errorRate: 5, cpu: 90, cpuFor: '0ms', rss: '7GB' },
            watch: [{ metric: 'jewelry_active_users', label: 'active users', below: 1 }],
          },
        },
      },
    });
    assert.equal(await round(h), [], 'healthy: nothing sent');

    // Slow: every request took 3 s. Each round compares with the last round's scrape, as the bot's rounds do.
    fake.record(100, 3);
    const slow = await round(h);
    assert.equal(titles(slow), ['🚨 Threshold crossed: shop p95', '🚨 Threshold crossed: shop p99']);
    assert.match(
      slow.find((m) => m.includes('p95'))!,
      /\np95 .* ms > 2000 ms$/,
    );
    fake.record(100, 3);
    assert.equal(await round(h), [], 'still slow: not sent twice');
    assert.equal(titles(await round(h)), [
      '✅ Resolved: Threshold crossed: shop p95',
      '✅ Resolved: Threshold crossed: shop p99',
    ]);

    // Erroring: 10 % of requests answer 500 (limit 5 %).
    fake.record(90, 0.02);
    fake.record(10, 0.02, '500');
    assert.equal(titles(await round(h)), ['🚨 Threshold crossed: shop errorRate']);

    // Heavy: CPU and memory past their limits, a watched gauge below its floor; the errors stopped.
    fake.rss.set(8e9);
    fake.cpu.inc(10);
    fake.activeUsers.set(0);
    assert.equal(titles(await round(h)), [
      '✅ Resolved: Threshold crossed: shop errorRate',
      '🚨 Threshold crossed: shop cpu',
      '🚨 Threshold crossed: shop rss',
      '🚨 Threshold crossed: shop watch:active users',
    ]);
    fake.rss.set(1e9);
    fake.activeUsers.set(2);
    assert.equal(titles(await round(h)), [
      '✅ Resolved: Threshold crossed: shop cpu',
      '✅ Resolved: Threshold crossed: shop rss',
      '✅ Resolved: Threshold crossed: shop watch:active users',
    ]);

    // Down: /health answers 503, then the service is gone altogether: one alert, one recovery.
    fake.health = 'error';
    const down = await round(h);
    assert.equal(down.length, 1);
    assert.match(down[0]!, /^🚨 Service down: shop\n.*\/health: answered 503, expected 200/);
    let metrics = await (await fetch(`${h.service.url}/metrics`)).text();
    assert.match(metrics, /opsctl_service_up\{service="shop"\} 0\n/);
    const port = fake.port;
    await fake.stop();
    assert.equal(await round(h), [], 'refused now: the same incident, not a new one');
    fake.health = 'ok';
    await fake.start(port);
    assert.equal(titles(await round(h)), ['✅ Resolved: Service down: shop']);
    metrics = await (await fetch(`${h.service.url}/metrics`)).text();
    assert.match(metrics, /opsctl_service_up\{service="shop"\} 1\n/);

    // A target near its connection limit.
    for (let i = 0; i < 35; i++) {
      const c = new pg.Client({ connectionString: db.url, application_name: 'opsctl-alert-holder' });
      await c.connect();
      holders.push(c);
    }
    const near = await round(h);
    assert.equal(titles(near), ['🚨 Target near its connection limit: app']);
    assert.match(near[0]!, new RegExp(`connections \\d+ of \\d+ in use > ${baseline + 25} \\(health\\.connections`));
    metrics = await (await fetch(`${h.service.url}/metrics`)).text();
    const counted = Number(/opsctl_target_connections\{target="app"\} (\d+)\n/.exec(metrics)?.[1]);
    assert.ok(counted >= 35, `counted ${counted}`);
    assert.equal(await round(h), [], 'not sent twice');
    await Promise.all(holders.splice(0).map((c) => c.end()));
    assert.equal(titles(await round(h)), ['✅ Resolved: Target near its connection limit: app']);
  } finally {
    await Promise.all(holders.map((c) => c.end()));
    await h?.close();
    await fake.stop();
    await db.drop();
  }
});

test('opsctl_target_up: 1 for a target that answers, 0 for one that does not, set at each health round', async () => {
  const db = await createPgDatabase('opsctl_alertup');
  let h: BotHarness | undefined;
  try {
    h = await startHarness({
      sources: [healthSource],
      config: {
        targets: {
          app: { engine: 'postgres', url: db.url },
          gone: { engine: 'postgres', url: 'postgres://postgres@127.0.0.1:1/nothing' },
        },
      },
    });
    assert.equal(titles(await round(h)), ['🚨 Target down: gone']);
    const metrics = await (await fetch(`${h.service.url}/metrics`)).text();
    assert.match(metrics, /^opsctl_target_up\{target="app"\} 1$/m);
    assert.match(metrics, /^opsctl_target_up\{target="gone"\} 0$/m);
  } finally {
    await h?.close();
    await db.drop();
  }
});

test.run();
