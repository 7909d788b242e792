import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { configShow } from '../commands/config.js';
import { invoke } from '../commands/operation.js';
import { createRuntime } from '../commands/runtime.js';
import { loadConfig } from '../src/config/load.js';
import { ConfigError } from '../src/errors.js';
import { silentLogger } from '../src/log/logger.js';
import { Redactor } from '../src/log/redact.js';
import { tempDir } from './helpers/tmp.js';

test('bot defaults, and OPSCTL_BOT_ALLOWED_CHATS / OPSCTL_BOT_PORT from the environment', () => {
  const cwd = tempDir();
  const defaults = loadConfig({ cwd, env: {}, redactor: new Redactor() }).config.bot;
  assert.equal(
    [
      defaults.port,
      defaults.host,
      defaults.mode,
      defaults.allowedChats,
      defaults.alerts.enabled,
      defaults.alerts.intervalSec,
      defaults.alerts.sources,
      defaults.shutdownGraceSec,
    ],
    [
      8000,
      '127.0.0.1',
      'polling',
      [],
      true,
      60,
      ['run-failed', 'cost-level', 'backup-age', 'watermark-lag', 'health'],
      25,
    ],
  );
  const loaded = loadConfig({
    cwd,
    env: { OPSCTL_BOT_ALLOWED_CHATS: '123456789, -1001234567890', OPSCTL_BOT_PORT: '9100' },
    redactor: new Redactor(),
  });
  assert.equal(loaded.config.bot.allowedChats, [123456789, -1001234567890]);
  assert.is(loaded.config.bot.port, 9100);
  assert.is(loaded.sources['bot.allowedChats'], 'env:OPSCTL_BOT_ALLOWED_CHATS');
});

test('webhook mode needs its URL and secret token; a bad chat id or an unknown alert source is reported', () => {
  const cwd = tempDir();
  try {
    loadConfig({ cwd, env: {}, redactor: new Redactor(), fileConfig: { bot: { mode: 'webhook' } } });
    assert.unreachable('accepted');
  } catch (error) {
    assert.instance(error, ConfigError);
    const message = (error as Error).message;
    assert.match(message, /bot\.webhook\.url .*is required when bot\.mode is "webhook"/);
    assert.match(message, /bot\.webhook\.secretToken .*is required when bot\.mode is "webhook"/);
  }
  try {
    loadConfig({
      cwd,
      env: {},
      redactor: new Redactor(),
      fileConfig: { bot: { allowedChats: ['12a'], alerts: { sources: ['weather'] } } },
    });
    assert.unreachable('accepted');
  } catch (error) {
    const message = (error as Error).message;
    assert.match(message, /bot\.allowedChats\.0/);
    assert.match(message, /bot\.alerts\.sources\.0/);
  }
});

test('the token and the webhook secret are redacted by config show', async () => {
  const cwd = tempDir();
  const redactor = new Redactor();
  const loaded = loadConfig({
    cwd,
    env: { TELEGRAM_BOT_TOKEN: '987654:bot-token-secret-value' },
    redactor,
    fileConfig: {
      bot: {
        mode: 'webhook',
        webhook: { url: 'https://bot.example.org/telegram', secretToken: 'webhook-secret-value' },
      },
    },
  });
  const runtime = createRuntime({ loaded, log: silentLogger, trigger: 'cli' });
  const shown = JSON.stringify(await invoke(configShow, runtime, {}));
  assert.not.match(shown, /bot-token-secret-value/);
  assert.not.match(shown, /webhook-secret-value/);
  assert.match(redactor.redact('token webhook-secret-value'), /token \*\*\*/);
});

test.run();
