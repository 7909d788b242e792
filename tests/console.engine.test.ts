// The console's engine worker (views/services/engine.ts): operations run on another thread and come back as if they
// had run here: results, progress, typed errors with their hint, and cancellation through the signal.
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../src/config/load.js';
import { CancelledError, ConfirmationRequired, NotFoundError, OpsError } from '../src/errors.js';
import { deserializeError, serializeError } from '../views/services/engine-protocol.js';
import { startEngine } from '../views/services/engine.js';
import { tempDir } from './helpers/tmp.js';

const home = tempDir('opsctl-engine-');
const loaded = loadConfig({
  fileConfig: { home, state: { url: `sqlite:${join(home, 'state.db')}` }, warehouse: { kind: 'duckdb' } },
  isolated: true,
  env: { OPSCTL_HOME: home },
  cwd: home,
});
const engine = startEngine({ loaded, logLevel: 'silent', trigger: 'tui' });
test.after(() => engine.close(5_000));

test('a typed error keeps its class, code, exit code and hint across the thread', async () => {
  const error = await engine.run('etl.show', { run: 987_654 }).then(
    () => assert.unreachable('etl.show of a missing run resolved'),
    (e: unknown) => e,
  );
  assert.instance(error, NotFoundError);
  assert.instance(error, OpsError);
  const e = error as NotFoundError;
  assert.is(e.name, 'NotFoundError');
  assert.is(e.code, 'NOT_FOUND');
  assert.is(e.exitCode, 2);
  assert.match(e.message, /987654/);
  assert.ok(e.hint && e.hint.length > 0, 'the hint travelled');
});

test('progress streams while the operation runs; aborting the signal cancels it inside the worker', async () => {
  const ac = new AbortController();
  const rounds: number[] = [];
  const result = engine.run(
    'health',
    { rounds: 0, intervalMs: 100 },
    {
      signal: ac.signal,
      onProgress: (p) => {
        rounds.push(p.done ?? 0);
        if (rounds.length === 3) ac.abort();
      },
    },
  );
  // `health --watch` ends with its last round when cancelled: it resolves only if the abort reached the worker.
  const last = await result;
  assert.is(rounds.slice(0, 3).join(','), '1,2,3');
  assert.ok(last.rounds >= 3, `ended after round ${last.rounds}`);
});

test('an operation started with an aborted signal ends cancelled, and the engine keeps serving', async () => {
  const ac = new AbortController();
  ac.abort();
  const error = await engine.run('config.show', {}, { signal: ac.signal }).catch((e: unknown) => e);
  assert.instance(error, CancelledError);
  const shown = await engine.run('config.show', {});
  assert.is(shown.configFile, null);
});

test('ConfirmationRequired is rebuilt with its action and typed name (the console asks with them)', () => {
  const original = new ConfirmationRequired('apply 1 migration to prod', { typed: 'prod', details: { n: 1 } });
  const copy = deserializeError(structuredClone(serializeError(original)));
  assert.instance(copy, ConfirmationRequired);
  const c = copy as ConfirmationRequired;
  assert.is(c.action, original.action);
  assert.is(c.typed, 'prod');
  assert.is(c.hint, original.hint);
  assert.equal(c.details, { n: 1 });
  assert.is(c.message, original.message);
});

test.run();
