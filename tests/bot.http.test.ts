import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { botHealth } from '../commands/bot/health.js';
import { invoke } from '../commands/operation.js';
import { createRuntime } from '../commands/runtime.js';
import { status } from '../commands/status.js';
import { loadConfig } from '../src/config/load.js';
import { logExecution } from '../src/state/execution-log.js';
import { silentLogger } from '../src/log/logger.js';
import { Redactor } from '../src/log/redact.js';
import { finishRun, startRun } from '../src/state/runs.js';
import { startHarness, TEAM_CHAT } from './helpers/bot.js';
import { createPgDatabase } from './helpers/databases.js';

const TOKEN = 'bot-health-token-for-tests';

interface Family {
  name: string;
  help: string;
  type: string;
  metrics: Array<{ value?: string; labels?: Record<string, string> }>;
}

/** Parses with an independent parser, and checks each line against the text format's grammar. */
function parseExposition(text: string): Family[] {
  const families = parsePrometheusTextFormat(text) as Family[];
  const typed = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        assert.ok(['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(meta[3]!), line);
        typed.add(meta[2]!);
      }
      continue;
    }
    const sample =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*",?)*\})? (-?[0-9.e+-]+|NaN|[+-]Inf)( -?\d+)?$/.exec(
        line,
      );
    assert.ok(sample, `not a valid sample line: ${line}`);
    const family = sample[1]!.replace(/_(bucket|sum|count|total|created)$/, '');
    assert.ok(typed.has(sample[1]!) || typed.has(family), `${sample[1]} has no TYPE line before it`);
  }
  return families;
}

const sampleOf = (families: Family[], name: string, labels: Record<string, string> = {}) =>
  families
    .find((f) => f.name === name)
    ?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value;

test('/health (details on), /health/live and /health/ready answer JSON; unknown paths 404, wrong methods 405', async () => {
  const h = await startHarness({ telegram: false, bot: { health: { details: true } } });
  try {
    const live = await fetch(`${h.service.url}/health/live`);
    assert.is(live.status, 200);
    assert.equal(await live.json(), { status: 'alive' });
    const health = await fetch(`${h.service.url}/health`);
    assert.is(health.status, 200);
    assert.match(health.headers.get('content-type') ?? '', /application\/json/);
    const report = (await health.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.is(report.status, 'ok');
    assert.is(report.ready, true);
    assert.match(report.version, /^\d+\.\d+\.\d+/);
    assert.is(report.state.status, 'up');
    assert.is(report.state.kind, 'sqlite');
    assert.equal(report.telegram, { status: 'disabled', mode: 'disabled' });
    assert.equal(
      report.components.map((t: { id: string }) => t.id),
      ['warehouse', 'target:local'],
    );
    const ready = await fetch(`${h.service.url}/health/ready`);
    assert.is(ready.status, 200);
    assert.equal(await ready.json(), { ready: true, reasons: [], state: 'up', telegram: 'disabled' });
    assert.is((await fetch(`${h.service.url}/nope`)).status, 404);
    const post = await fetch(`${h.service.url}/health`, { method: 'POST' });
    assert.is(post.status, 405);
    assert.is(post.headers.get('allow'), 'GET, HEAD');
  } finally {
    await h.close();
  }
});

test('/metrics parses as Prometheus exposition, with runs by status, durations, rows loaded and messages handled', async () => {
  const h = await startHarness();
  try {
    const store = await h.runtime.state();
    for (const [pipeline, outcome] of [
      ['spotify', 'succeeded'],
      ['spotify', 'failed'],
      ['dash', 'succeeded'],
      ['dash', 'succeeded'],
    ] as const) {
      const run = await startRun(store, { operation: 'etl.run', pipeline });
      if (pipeline === 'dash') {
        await logExecution(store, {
          runId: run.id,
          pipeline,
          table: 'dashboard_data',
          status: 'ok',
          rowsExtracted: 500,
          rowsLoaded: 480,
          rowsRejected: 20,
          startedAt: new Date().toISOString(),
        });
      }
      await finishRun(store, run.id, { status: outcome, error: outcome === 'failed' ? 'x' : null });
    }
    await startRun(store, { operation: 'etl.run', pipeline: 'dash' }); // still running
    await h.ask(TEAM_CHAT, '/status');
    await h.waitForLog((r) => r.msg === 'bot: /status answered');

    const res = await fetch(`${h.service.url}/metrics`);
    assert.is(res.status, 200);
    assert.is(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const families = parseExposition(await res.text());
    assert.is(sampleOf(families, 'opsctl_runs', { operation: 'etl.run', status: 'succeeded' }), '3');
    assert.is(sampleOf(families, 'opsctl_runs', { operation: 'etl.run', status: 'failed' }), '1');
    assert.is(sampleOf(families, 'opsctl_runs', { operation: 'etl.run', status: 'running' }), '1');
    assert.is(sampleOf(families, 'opsctl_last_run_success', { operation: 'etl.run', pipeline: 'spotify' }), '0');
    assert.is(sampleOf(families, 'opsctl_last_run_success', { operation: 'etl.run', pipeline: 'dash' }), '1');
    assert.ok(Number(sampleOf(families, 'opsctl_last_run_duration_seconds', { pipeline: 'dash' })) >= 0);
    assert.ok(Number(sampleOf(families, 'opsctl_last_run_finished_timestamp_seconds', { pipeline: 'dash' })) > 1.7e9);
    assert.is(sampleOf(families, 'opsctl_last_run_rows_loaded', { pipeline: 'dash', table: 'dashboard_data' }), '480');
    assert.is(sampleOf(families, 'opsctl_bot_messages_total', { command: 'status', outcome: 'answered' }), '1');
    assert.is(sampleOf(families, 'opsctl_state_store_up'), '1');
    assert.is(sampleOf(families, 'opsctl_telegram_up'), '1');
    assert.ok(sampleOf(families, 'process_resident_memory_bytes'), 'the process metrics are there too');
    assert.is(families.find((f) => f.name === 'opsctl_bot_messages_total')!.type, 'COUNTER');
  } finally {
    await h.close();
  }
});

test('/health/ready turns 503 when the state store becomes unreachable; /health/live stays 200; /metrics keeps the last run series, marked stale', async () => {
  const db = await createPgDatabase('opsctl_botready');
  let dropped = false;
  // trust authentication ignores the password; it is here to be masked in /health
  const stateUrl = db.url.replace('postgres://postgres@', 'postgres://postgres:state-secret@');
  const h = await startHarness({
    telegram: false,
    config: { state: { url: stateUrl } },
    bot: { health: { token: TOKEN } },
  });
  try {
    assert.is((await fetch(`${h.service.url}/health/ready`)).status, 200);
    const store = await h.runtime.state();
    const run = await startRun(store, { operation: 'etl.run', pipeline: 'dash' });
    await finishRun(store, run.id, { status: 'succeeded' });
    const fresh = parseExposition(await (await fetch(`${h.service.url}/metrics`)).text());
    assert.is(sampleOf(fresh, 'opsctl_state_store_up', {}), '1');
    assert.is(sampleOf(fresh, 'opsctl_runs_stale_seconds', {}), '0');
    assert.is(sampleOf(fresh, 'opsctl_runs', { operation: 'etl.run', status: 'succeeded' }), '1');
    await db.drop(); // terminates the bot's connections; reconnecting fails: the database is gone
    dropped = true;
    const ready = await fetch(`${h.service.url}/health/ready`);
    assert.is(ready.status, 503);
    const body = (await ready.json()) as { ready: boolean; reasons: string[]; state: string };
    assert.is(body.ready, false);
    assert.is(body.state, 'down');
    assert.equal(body.reasons, ['state store down'], 'without the details: no error text');
    const detailed = await fetch(`${h.service.url}/health/ready`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.match(((await detailed.json()) as { reasons: string[] }).reasons[0]!, /^state store down: /);
    const health = await fetch(`${h.service.url}/health`);
    assert.is(health.status, 503);
    assert.is(((await health.json()) as { status: string }).status, 'down');
    // With the details, the store that is down is named by its URL, password masked (not just its engine).
    const details = await fetch(`${h.service.url}/health`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const state = ((await details.json()) as { state: { status: string; kind: string; location: string } }).state;
    assert.is(state.status, 'down');
    assert.is(state.location, stateUrl.replace('state-secret', '***'));
    assert.is((await fetch(`${h.service.url}/health/live`)).status, 200);
    // The run series keep their last known values; staleness grows from the last good read.
    await new Promise((r) => setTimeout(r, 1_100));
    const down = parseExposition(await (await fetch(`${h.service.url}/metrics`)).text());
    assert.is(sampleOf(down, 'opsctl_state_store_up', {}), '0');
    assert.is(sampleOf(down, 'opsctl_runs', { operation: 'etl.run', status: 'succeeded' }), '1');
    assert.is(sampleOf(down, 'opsctl_last_run_success', { operation: 'etl.run', pipeline: 'dash' }), '1');
    assert.ok(Number(sampleOf(down, 'opsctl_runs_stale_seconds', {})) >= 1, 'stale for at least the second waited');
  } finally {
    await h.close();
    if (!dropped) await db.drop();
  }
});

test('webhook mode: sets the webhook with its secret, answers updates posted with it, rejects the rest', async () => {
  const h = await startHarness({
    bot: {
      mode: 'webhook',
      webhook: { url: 'https://bot.example.org/telegram', secretToken: 'hook-secret-0123456789' },
    },
    waitForPolling: false,
  });
  try {
    const set = await h.fake.waitFor(() => h.fake.sent('setWebhook')[0], 10_000, 'setWebhook');
    assert.is(set.params.url, 'https://bot.example.org/telegram');
    assert.is(set.params.secret_token, 'hook-secret-0123456789');
    const update = {
      update_id: 1,
      message: {
        message_id: 1,
        date: 0,
        chat: { id: TEAM_CHAT, type: 'private' },
        from: { id: TEAM_CHAT, first_name: 'T' }, // the harness gives this user a role in bot.users
        text: '/help',
      },
    };
    const bad = await fetch(`${h.service.url}/telegram`, {
      method: 'POST',
      body: JSON.stringify(update),
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'wrong' },
    });
    assert.is(bad.status, 401);
    const good = await fetch(`${h.service.url}/telegram`, {
      method: 'POST',
      body: JSON.stringify(update),
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'hook-secret-0123456789' },
    });
    assert.is(good.status, 200);
    const answer = await h.fake.waitFor(() => h.fake.sentTo(TEAM_CHAT)[0], 10_000, 'the answer');
    assert.match(answer.text, /opsctl on-call bot/);
    assert.is(h.fake.sent('getUpdates').length, 0, 'no polling in webhook mode');
    assert.equal(h.fake.sent('setWebhook').length, 1);
  } finally {
    await h.close();
  }
});

test('`status` and `bot.health` find the running bot through the state store and its health endpoint', async () => {
  const h = await startHarness({ telegram: false, bot: { health: { token: TOKEN } } });
  // Another process's view with the same config: it sends bot.health.token, so it gets the bot's version.
  const loaded = loadConfig({
    cwd: h.home,
    env: { OPSCTL_BOT_HEALTH_TOKEN: TOKEN },
    redactor: new Redactor(),
    fileConfig: { home: h.home },
  });
  const other = createRuntime({ loaded, log: silentLogger, trigger: 'cli' }); // another process's view: same state store
  try {
    const running = await invoke(status, other, { timeoutMs: 3_000 });
    const bot = running.components.find((c) => c.id === 'bot');
    assert.is(bot?.status, 'up');
    assert.is(bot?.details?.running, true);
    assert.is(bot?.location, h.service.url);
    assert.is(bot?.kind, 'metrics');
    assert.match(bot?.version ?? '', /^opsctl \d/);
    assert.is(bot?.details?.pid, process.pid);
    const health = await invoke(botHealth, other, {});
    assert.is(health.status, 'up');
    assert.is(health.details.telegram, 'disabled');
    const blindLoaded = loadConfig({ cwd: h.home, env: {}, redactor: new Redactor(), fileConfig: { home: h.home } });
    const blind = createRuntime({ loaded: blindLoaded, log: silentLogger, trigger: 'cli' });
    try {
      const statuses = await invoke(botHealth, blind, {});
      assert.is(statuses.status, 'up', 'without the token: the statuses still tell');
      assert.is(statuses.details.telegram, 'disabled');
      assert.is(statuses.details.report?.version, undefined, 'but /health does not tell the version');
    } finally {
      await blind.close();
    }
    await h.service.stop();
    const gone = await invoke(status, other, { timeoutMs: 3_000 });
    const goneBot = gone.components.find((c) => c.id === 'bot');
    assert.is(goneBot?.status, 'absent');
    assert.is(goneBot?.details?.running, false);
    assert.match(goneBot?.hint ?? '', /opsctl bot start/);
  } finally {
    await other.close();
    await h.close();
  }
});

test('`bot.health` on a URL: a 503 is "down" with the reasons, nothing listening is "down" with why', async () => {
  const server = createServer((_req, res) => {
    res.writeHead(503, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        status: 'down',
        ready: false,
        reasons: ['state store down: gone'],
        version: '9.9.9',
        telegram: { status: 'up' },
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const h = await startHarness({ telegram: false });
  try {
    const down = await invoke(botHealth, h.runtime, { url });
    assert.is(down.status, 'down');
    assert.is(down.version, 'opsctl 9.9.9');
    assert.match(down.error!, /not ready \(HTTP 503\): state store down: gone/);
    await new Promise<void>((r) => server.close(() => r()));
    const nothing = await invoke(botHealth, h.runtime, { url });
    assert.is(nothing.status, 'down');
    assert.match(nothing.error!, /does not answer: connection refused/);
  } finally {
    server.close();
    await h.close();
  }
});

test.run();
