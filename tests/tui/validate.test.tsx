import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { StatusResult } from '../../commands/status.js';
import type { ValidateResult } from '../../commands/validate/index.js';
import type { CheckResult } from '../../commands/validate/types.js';
import { fakeServices, renderConsole, tick, waitFor } from '../helpers/console.js';

const status: StatusResult = {
  opsctlVersion: '0.1.0',
  environment: 'development',
  configFile: null,
  home: '/tmp/h',
  components: [
    {
      id: 'state',
      name: 'state',
      label: 'state store',
      group: 'core',
      kind: 'sqlite',
      location: '/tmp/h/state.db',
      status: 'up',
      version: 'SQLite 3.53.2',
      latencyMs: 2,
    },
    {
      id: 'warehouse',
      name: 'warehouse',
      label: 'warehouse',
      group: 'core',
      kind: 'duckdb',
      location: '/tmp/h/w.duckdb',
      status: 'up',
      version: 'DuckDB v1.5.6',
      latencyMs: 3,
    },
  ],
  checkedAt: new Date().toISOString(),
};

const checks: CheckResult[] = [
  { group: 'config', name: 'schema', status: 'pass', reason: 'embedded defaults match the schema', durationMs: 1 },
  {
    group: 'environment',
    name: 'SECRET_KEY',
    status: 'fail',
    reason: 'SECRET_KEY has 9 characters; at least 32 are required',
    hint: 'Generate a longer one: openssl rand -hex 32',
    durationMs: 1,
  },
  {
    group: 'connectivity',
    name: 'state store',
    status: 'warn',
    reason: 'embedded SQLite in production',
    hint: 'Point OPSCTL_STATE_URL at PostgreSQL',
    durationMs: 1,
  },
];

test("v on the Overview runs validate; checks stream in, the summary and a failed check's hint show; esc goes back", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const services = fakeServices({
    status: () => status,
    validate: async (input, options) => {
      options.onProgress?.({ phase: 'Configuration', done: 1, item: checks[0] });
      await gate; // hold the rest until the test has seen the first check on screen
      options.onProgress?.({ phase: 'Environment', done: 2, item: checks[1] });
      options.onProgress?.({ phase: 'Connectivity', done: 3, item: checks[2] });
      const result: ValidateResult = {
        env: input.env as ValidateResult['env'],
        ok: false,
        counts: { pass: 1, warn: 1, fail: 1 },
        groups: ['config', 'environment', 'connectivity'],
        checks,
        startedAt: new Date().toISOString(),
        durationMs: 1200,
      };
      return result;
    },
  });
  const app = renderConsole(services);
  await waitFor(app.lastFrame, (f) => f.includes('v validate'));
  app.stdin.write('v');
  // The footer follows one render later (the keymap refreshes in an effect): wait for both.
  const streaming = await waitFor(app.lastFrame, (f) => f.includes('schema') && f.includes('x stop'));
  assert.match(streaming, /Validate for development · 1 pass · 0 warn · 0 fail/);
  assert.not.match(streaming, /SECRET_KEY/);
  assert.match(streaming, /x stop/);
  release();
  const done = await waitFor(app.lastFrame, (f) => f.includes('NOT safe to ship'));
  assert.match(done, /1 pass · 1 warn · 1 fail/);
  assert.match(done, /FAIL\s+environment\s+SECRET_KEY/);
  assert.match(done, /e env development/);
  app.stdin.write('j');
  const selected = await waitFor(app.lastFrame, (f) => f.includes('hint: Generate a longer one'));
  assert.ok(selected);
  app.stdin.write('e');
  await waitFor(app.lastFrame, (f) => f.includes('Validate for staging'));
  await waitFor(
    () => String(services.calls.filter((c) => c.name === 'validate').length),
    (n) => n === '2',
  );
  assert.equal(
    services.calls.filter((c) => c.name === 'validate').map((c) => c.input.env),
    ['development', 'staging'],
  );
  await tick(50);
  app.stdin.write('\u001B');
  await waitFor(app.lastFrame, (f) => f.includes('v validate') && !f.includes('Validate for'));
  app.unmount();
});

test('p shows only the problems', async () => {
  const services = fakeServices({
    status: () => status,
    validate: async (_input, options) => {
      for (const item of checks) options.onProgress?.({ phase: 'x', item });
      return {
        env: 'development',
        ok: false,
        counts: { pass: 1, warn: 1, fail: 1 },
        groups: [],
        checks,
        startedAt: new Date().toISOString(),
        durationMs: 5,
      } satisfies ValidateResult;
    },
  });
  const app = renderConsole(services);
  await waitFor(app.lastFrame, (f) => f.includes('v validate'));
  app.stdin.write('v');
  await waitFor(app.lastFrame, (f) => f.includes('NOT safe to ship'));
  app.stdin.write('p');
  const frame = await waitFor(app.lastFrame, (f) => f.includes('p show all'));
  assert.not.match(frame, /PASS\s+config/);
  assert.match(frame, /WARN\s+connectivity/);
  app.unmount();
});

test('validate runs as a job: closing the view leaves it running, the jobs view lists it, and x there cancels it', async () => {
  let aborted = false;
  const services = fakeServices({
    status: () => status,
    validate: (_input, options) =>
      new Promise((_resolve, reject) => {
        options.onProgress?.({ phase: 'Configuration', done: 1, item: checks[0] });
        options.signal?.addEventListener('abort', () => {
          aborted = true;
          reject(new Error('validate cancelled'));
        });
      }),
  });
  const app = renderConsole(services);
  try {
    await waitFor(app.lastFrame, (f) => f.includes('v validate'));
    app.stdin.write('v');
    await waitFor(app.lastFrame, (f) => f.includes('schema') && f.includes('x stop'));
    app.stdin.write('\u001B');
    await waitFor(app.lastFrame, (f) => f.includes('v validate') && !f.includes('Validate for'));
    await tick(50);
    app.stdin.write('J');
    const listed = await waitFor(app.lastFrame, (f) => /validate\s+development\s+running/.test(f));
    assert.match(listed, /Jobs · 1 running/);
    await waitFor(app.lastFrame, (f) => f.includes('x cancel job'));
    app.stdin.write('x');
    await waitFor(app.lastFrame, (f) => /validate\s+development\s+cancelled/.test(f));
    assert.ok(aborted, "the operation's signal was aborted");
    assert.is(services.calls.filter((c) => c.name === 'validate').length, 1, 'closing the view did not start another');
  } finally {
    app.unmount();
  }
});

test.run();
