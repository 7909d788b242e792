import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { botSchema } from '../src/config/sections/bot.js';
import { closeServer, serveHealth, type HealthHandlers } from '../src/bot/http.js';
import { silentLogger } from '../src/log/logger.js';

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

test.run();
