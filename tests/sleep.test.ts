import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CancelledError } from '../src/errors.js';
import { sleep } from '../src/util/sleep.js';

test('waits the time it is given', async () => {
  const started = performance.now();
  await sleep(50);
  assert.ok(performance.now() - started >= 45);
});

test('an abort during the wait rejects at once with CancelledError, not after the full wait', async () => {
  const controller = new AbortController();
  const started = performance.now();
  setTimeout(() => controller.abort(), 20);
  const error = await sleep(10_000, controller.signal).catch((e: unknown) => e);
  assert.instance(error, CancelledError);
  assert.ok(performance.now() - started < 2_000, 'the timer was cleared on abort');
});

test('an already aborted signal rejects without waiting, with the error the caller builds', async () => {
  const signal = AbortSignal.abort();
  const error = await sleep(10_000, signal, () => new CancelledError('Spotify call cancelled')).catch(
    (e: unknown) => e,
  );
  assert.instance(error, CancelledError);
  assert.is((error as Error).message, 'Spotify call cancelled');
});

test.run();
