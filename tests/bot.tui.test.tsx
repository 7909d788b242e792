import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { StatusResult } from '../commands/status.js';
import type { BotComponent } from '../src/health/checks/bot.js';
import { fakeServices, renderConsole, tick, waitFor } from './helpers/console.js';

const BOT = { id: 'bot', name: 'bot', label: 'on-call bot', group: 'bot' } as const;

const status = (bot: BotComponent | undefined): StatusResult => ({
  opsctlVersion: '0.1.0',
  environment: 'production',
  configFile: '/etc/opsctl/opsctl.config.json',
  home: '/var/lib/opsctl',
  components: [
    {
      id: 'state',
      name: 'state',
      label: 'state store',
      group: 'core',
      kind: 'postgres',
      location: 'postgres://opsctl:***@db/opsctl',
      status: 'up',
      version: 'PostgreSQL 15.8',
      latencyMs: 3,
    },
    {
      id: 'warehouse',
      name: 'warehouse',
      label: 'warehouse',
      group: 'core',
      kind: 'bigquery',
      location: 'my-project.spotify_data',
      status: 'up',
      latencyMs: 120,
    },
    ...(bot ? [bot] : []),
  ],
  checkedAt: new Date().toISOString(),
});

test('the Overview shows a running, healthy bot with its version and health URL', async () => {
  const bot: BotComponent = {
    ...BOT,
    kind: 'telegram',
    location: 'http://10.0.0.5:8000',
    status: 'up',
    version: 'opsctl 0.1.0',
    latencyMs: 4,
    details: { running: true, telegram: 'up' },
  };
  const app = renderConsole(fakeServices({ status: () => status(bot) }));
  const frame = await waitFor(app.lastFrame, (f) => f.includes('on-call bot'));
  assert.match(frame, /on-call bot\s+telegram\s+up\s+opsctl 0\.1\.0\s+4ms\s+http:\/\/10\.0\.0\.5:8000/);
  app.unmount();
});

test('an unhealthy bot shows its error; a bot that is not running says so', async () => {
  const sick: BotComponent = {
    ...BOT,
    kind: 'telegram',
    location: 'http://10.0.0.5:8000',
    status: 'down',
    details: { running: true },
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

  const absent = renderConsole(
    fakeServices({
      status: () =>
        status({ ...BOT, kind: 'bot', location: 'not running', status: 'absent', details: { running: false } }),
    }),
  );
  const f2 = await waitFor(absent.lastFrame, (f) => f.includes('on-call bot'));
  assert.match(f2, /on-call bot\s+bot\s+absent\s+not running/);
  absent.unmount();
});

test.run();
