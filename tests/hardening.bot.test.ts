import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { botSchema } from '../src/config/sections/bot.js';
import { closeServer, serveHealth, type HealthHandlers } from '../src/bot/http.js';
import { silentLogger } from '../src/log/logger.js';
import { startHarness } from './helpers/bot.js';
import { createPgDatabase } from './helpers/databases.js';

const handlers: HealthHandlers = {
  health: () => Promise.resolve({ ready: true, body: { status: 'ok' } }),
  ready: () => Promise.resolve({ ready: true, body: { ready: true } }),
  metrics: () => Promise.resolve({ contentType: 'text/plain', body: '' }),
  log: silentLogger,
};

test('the bot health server binds 127.0.0.1 by default and reports the address it really listens on', async () => {
  assert.is(botSchema.parse({}).host, '127.0.0.1');
  const local = await serveHealth(handlers, { host: botSchema.parse({}).host, port: 0 });
  const wide = await serveHealth(handlers, { host: '0.0.0.0', port: 0 });
  try {
    assert.is(local.bound, `127.0.0.1:${local.port}`);
    assert.is(local.wide, false);
    assert.is(wide.bound, `0.0.0.0:${wide.port}`);
    assert.is(wide.wide, true, 'listening on every interface is flagged, so the log warns');
  } finally {
    await closeServer(local.server);
    await closeServer(wide.server);
  }
});

const TOKEN = 'health-token-0123456789abcdef';

/**
 * A bot whose /health has plenty to leak: a SQLite state store (a file path), a reachable PostgreSQL target (user, host,
 * port, database, server version) and one that refuses connections (an error text).
 */
async function layoutHarness(health: Record<string, unknown>) {
  const db = await createPgDatabase('opsctl_layout');
  const h = await startHarness({
    telegram: false,
    bot: { health },
    config: {
      targets: {
        app: { engine: 'postgres', url: db.url },
        gone: { engine: 'postgres', url: 'postgres://ghost_user@127.0.0.1:1/ghost_db' },
      },
    },
  });
  // The components are probed in the background; wait until both targets have an answer.
  for (let i = 0; i < 50; i++) {
    const r = await h.service.health();
    if (r.components.filter((c) => c.id.startsWith('target:') && c.status !== 'unchecked').length === 2) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    h,
    db,
    get: (path: string, headers: Record<string, string> = {}) => fetch(`${h.service.url}${path}`, { headers }),
    async close() {
      await h.close();
      await db.drop();
    },
  };
}

test('/health and /health/ready answer strangers statuses only: no URL, user, host, port, database, path, version or error', async () => {
  const t = await layoutHarness({ token: TOKEN });
  try {
    const full = await t.h.service.health();
    const app = full.components.find((c) => c.id === 'target:app')!;
    assert.is(app.status, 'up', 'the detailed report has something to hide');
    assert.ok(app.version, 'the server version is known');
    assert.ok(full.components.find((c) => c.id === 'target:gone')?.error, 'and an error text');
    const leaks = [
      t.db.name,
      'ghost_user',
      'ghost_db',
      '127.0.0.1',
      ':5432',
      'postgres',
      'sqlite',
      t.h.home,
      String(app.version),
    ];
    for (const path of ['/health', '/health/ready']) {
      // No credentials, or credentials that are not the bearer token: statuses only.
      for (const headers of [{}, { authorization: 'Basic Zm9vOmJhcg==' }] as Array<Record<string, string>>) {
        const res = await t.get(path, headers);
        const text = await res.text();
        for (const leak of leaks) assert.not.ok(text.includes(leak), `${path} tells a stranger "${leak}": ${text}`);
        assert.not.match(text, /ECONNREFUSED|refused|version|location|error/i, `${path}: ${text}`);
      }
    }
    const body = (await (await t.get('/health')).json()) as Record<string, unknown>;
    assert.equal(Object.keys(body).sort(), ['components', 'ready', 'reasons', 'state', 'status', 'telegram']);
    assert.is(body.status, 'degraded', 'a target is down: the status still says so');
    assert.equal(body.state, { status: 'up' });
    assert.equal(body.telegram, { status: 'disabled' });
    assert.equal(body.components, [
      { id: 'warehouse', status: 'absent' },
      { id: 'target:app', status: 'up' },
      { id: 'target:gone', status: 'down' },
    ]);
    assert.equal(await (await t.get('/health/live')).json(), { status: 'alive' });
  } finally {
    await t.close();
  }
});

test('the details need the bearer token (compared in constant time) or bot.health.details; a wrong token is 401', async () => {
  const t = await layoutHarness({ token: TOKEN });
  try {
    const detailed = await t.get('/health', { authorization: `Bearer ${TOKEN}` });
    assert.is(detailed.status, 200);
    const report = (await detailed.json()) as { version: string; components: Array<{ id: string; location: string }> };
    assert.match(report.version, /^\d+\.\d+\.\d+/);
    assert.match(report.components.find((c) => c.id === 'target:app')!.location, new RegExp(t.db.name));
    for (const wrong of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, 'Bearer ']) {
      const res = await t.get('/health', { authorization: wrong });
      assert.is(res.status, 401, wrong);
      assert.is(res.headers.get('www-authenticate'), 'Bearer');
      assert.not.match(await res.text(), new RegExp(t.db.name));
    }
    const ready = (await (await t.get('/health/ready', { authorization: `bearer ${TOKEN}` })).json()) as object;
    assert.equal(ready, { ready: true, reasons: [], state: 'up', telegram: 'disabled' });
  } finally {
    await t.close();
  }
  const open = await layoutHarness({ details: true });
  try {
    const report = (await (await open.get('/health')).json()) as { components: Array<{ id: string; error?: string }> };
    assert.ok(report.components.find((c) => c.id === 'target:gone')?.error, 'details: true shows them to everyone');
  } finally {
    await open.close();
  }
});

test('bot.health.token and bot.webhook.secretToken shorter than 16 characters are config errors naming the field', () => {
  const short = botSchema.safeParse({
    mode: 'webhook',
    webhook: { url: 'https://bot.example.org/telegram', secretToken: 'hook-secret-123' },
    health: { token: 'too-short' },
  });
  assert.not.ok(short.success);
  const paths = short.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  assert.ok(
    paths.some((p) => /^webhook\.secretToken: must be 16-256 characters/.test(p)),
    paths.join('\n'),
  );
  assert.ok(
    paths.some((p) => /^health\.token: must be at least 16 characters/.test(p)),
    paths.join('\n'),
  );
  const ok = botSchema.safeParse({
    mode: 'webhook',
    webhook: { url: 'https://bot.example.org/telegram', secretToken: 'hook-secret-0123456' },
  });
  assert.ok(ok.success);
});

test.run();
