import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { StatusResult } from '../commands/status.js';
import type { BotComponent } from '../src/bot/probe.js';
import { fakeServices, renderConsole, tick, waitFor } from './helpers/console.js';

const status = (bot: BotComponent | undefined): StatusResult => ({
  opsctlVersion: '0.1.0',
  environment: 'production',
  configFile: '/etc/opsctl/opsctl.config.json',
  home: '/var/lib/opsctl',
  state: { name: 'state', kind: 'postgres', location: 'postgres://opsctl:***@db/opsctl', status: 'up', version: 'PostgreSQL 15.8', latencyMs: 3 },
  warehouse: { name: 'warehouse', kind: 'bigquery', location: 'my-project.spotify_data', status: 'up', latencyMs: 120 },
  targets: [],
  ...(bot ? { bot } : {}),
  checkedAt: new Date().toISOString(),
});

test('the Overview shows a running, healthy bot with its version and health URL', async () => {
  const bot: BotComponent = { name: 'bot', kind: 'telegram', location: 'http://10.0.0.5:8000', status: 'up', version: 'opsctl 0.1.0', latencyMs: 4, running: true, telegram: 'up' };
  const app = renderConsole(fakeServices({ status: () => status(bot) }));
  const frame = await waitFor(app.lastFrame, (f) => f.includes('on-call bot'));
  assert.match(frame, /on-call bot\s+telegram\s+up\s+opsctl 0\.1\.0\s+4ms\s+http:\/\/10\.0\.0\.5:8000/);
  app.unmount();
});

test('an unhealthy bot shows its error; a bot that is not running says so', async () => {
  const sick: BotComponent = {
    name: 'bot',
    kind: 'telegram',
    location: 'http://10.0.0.5:8000',
    status: 'down',
    running: true,
    error: 'the bot is not ready (HTTP 503): telegram down: Bad Gateway',
    hint: "See the bot's /health for which dependency is down.",
  };
  const app = renderConsole(fakeServices({ status: () => status(sick) }));
  await waitFor(app.lastFrame, (f) => f.includes('on-call bot'));
  for (let i = 0; i < 2; i++) {
    app.stdin.write('j');
    await tick();
  }
  const frame = await waitFor(app.lastFrame, (f) => f.includes('telegram down'));
  assert.match(frame, /on-call bot: down/);
  app.unmount();

  const absent = renderConsole(fakeServices({ status: () => status({ name: 'bot', kind: 'bot', location: 'x', status: 'absent', running: false }) }));
  const f2 = await waitFor(absent.lastFrame, (f) => f.includes('on-call bot'));
  assert.match(f2, /on-call bot\s+bot\s+absent\s+not running/);
  absent.unmount();
});

test.run();
