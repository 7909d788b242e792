import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LoadtestComparison } from '../../commands/loadtest/compare.js';
import type { LoadtestHistory } from '../../commands/loadtest/history.js';
import type { LoadtestLive } from '../../commands/loadtest/run.js';
import { compareRuns } from '../../src/loadtest/compare.js';
import type { LoadTestRun } from '../../src/loadtest/store.js';
import { fakeServices, renderConsole, tick, waitFor } from '../helpers/console.js';

// A failed assertion must not leave an Ink app holding the event loop open.
const apps: Array<{ unmount(): void }> = [];
const open = (...args: Parameters<typeof renderConsole>) => {
  const app = renderConsole(...args);
  apps.push(app);
  return app;
};
test.after.each(() => {
  for (const app of apps.splice(0)) app.unmount();
});

const latency = (p95: number) => ({
  min: 1,
  mean: p95 / 2,
  stdev: 1,
  p50: p95 / 2,
  p90: p95 * 0.9,
  p95,
  p99: p95 * 1.4,
  p999: p95 * 2,
  max: p95 * 3,
});

function run(id: number, p95: number, passed: boolean, profile = 'api'): LoadTestRun {
  const thresholds = [
    {
      text: 'p95<150ms',
      metric: 'p95' as const,
      op: '<' as const,
      value: 150,
      percent: false,
      actual: p95,
      passed,
      message: passed ? `p95 = ${p95} ms` : `p95 = ${p95} ms, not under 150 ms`,
    },
  ];
  return {
    id,
    profile,
    url: 'http://127.0.0.1:8080/api',
    method: 'GET',
    startedAt: new Date(Date.now() - 60_000 * (10 - id)).toISOString(),
    finishedAt: new Date().toISOString(),
    plan: {
      model: 'closed',
      connections: 10,
      durationMs: 10_000,
      warmupMs: 1000,
      timeoutMs: 10_000,
      headers: {},
      bodyBytes: 0,
    },
    durationMs: 10_000,
    requests: 5000,
    responses: 5000,
    rps: 500,
    bytesRead: 0,
    latency: latency(p95),
    statusCodes: { 200: 5000 },
    errors: { timeout: 0, refused: 0, reset: 0, other: 0 },
    errorTotal: 0,
    errorRate: 0,
    non2xx: 0,
    errorSamples: {},
    warmupRequests: 300,
    samples: Array.from({ length: 10 }, (_, i) => ({
      t: i + 1,
      requests: 500 + (i % 2 ? 5 : -5),
      errors: 0,
      p50: p95 / 2,
      p95,
      p99: p95 * 1.4,
    })),
    thresholds,
    passed,
    trigger: 'console',
  };
}

const history = (runs: LoadTestRun[]): LoadtestHistory => ({
  runs,
  profiles: [
    {
      name: 'api',
      url: 'http://127.0.0.1:8080/api',
      method: 'GET',
      model: 'closed',
      connections: 10,
      rate: null,
      duration: '10s',
      requests: null,
      warmup: '1s',
      gate: true,
      thresholds: ['p95<150ms'],
    },
    {
      name: 'search',
      url: 'http://127.0.0.1:8080/search',
      method: 'POST',
      model: 'open',
      connections: 10,
      rate: 200,
      duration: null,
      requests: 5000,
      warmup: '0s',
      gate: false,
      thresholds: [],
    },
  ],
});

function liveTick(completed: number, rps: number, p95: number, seconds = 1): LoadtestLive {
  return {
    phase: 'measure',
    elapsedMs: completed,
    done: completed,
    total: 10_000,
    completed,
    rps,
    seconds,
    latency: latency(p95),
    errors: 0,
    non2xx: 0,
  };
}

test('the Load tests pane lists profiles and runs; running a profile shows live throughput and percentiles, then thresholds', async () => {
  let stored = [run(2, 40, true), run(1, 30, true)];
  let release: () => void = () => undefined;
  const services = fakeServices({
    'loadtest.history': () => history(stored),
    'loadtest.run': async (input, options) => {
      assert.is(input.profile, 'api');
      options.onProgress?.({ phase: 'running', done: 1000, total: 10_000, item: liveTick(480, 480, 35) });
      await new Promise<void>((r) => (release = r));
      options.onProgress?.({ phase: 'running', done: 2000, total: 10_000, item: liveTick(1500, 1020, 212) });
      await new Promise<void>((r) => (release = r));
      const r = run(3, 212, false);
      stored = [r, ...stored];
      return r;
    },
  });
  const app = open(services, { initialPane: 'loadtests' });
  let frame = await waitFor(app.lastFrame, (f) => f.includes('runs stored'));
  assert.match(frame, /Load tests · 2 profiles · 2 runs stored/);
  assert.match(frame, /api\s+closed\s+yes\s+p95<150ms\s+http:\/\/127\.0\.0\.1:8080\/api/);
  assert.match(frame, /search\s+open\s+-/);
  assert.match(frame, /2\s+\S+ ago\s+api\s+500\s+20\.0 ms\s+40\.0 ms\s+56\.0 ms\s+0\.0%\s+passed/);
  await waitFor(app.lastFrame, (f) => f.includes('⏎ run profile'));

  // Enter asks first, saying where the load goes, how hard and how long; Esc starts nothing.
  app.stdin.write('\r');
  frame = await waitFor(app.lastFrame, (f) => f.includes('Start load test api'));
  assert.match(
    frame.replace(/[│╭╮╰╯─]/g, ' ').replace(/\s+/g, ' '),
    /Start load test api: GET http:\/\/127\.0\.0\.1:8080\/api · closed model, 10 connections · for 10s, after a 1s warmup/,
  );
  await waitFor(app.lastFrame, (f) => f.includes('y start') && f.includes('esc cancel'));
  app.stdin.write('\u001B');
  await waitFor(app.lastFrame, (f) => !f.includes('Start load test api') && f.includes('⏎ run profile'));
  assert.is(services.calls.filter((c) => c.name === 'loadtest.run').length, 0, 'Esc starts nothing');
  app.stdin.write('\r');
  await waitFor(app.lastFrame, (f) => f.includes('Start load test api') && f.includes('y start'));
  app.stdin.write('y');
  // The footer follows one render later (the keymap refreshes in an effect): wait for both.
  frame = await waitFor(app.lastFrame, (f) => f.includes('480 req/s') && f.includes('x stop'));
  assert.match(frame, /1\.0s\/10\.0s 10%/, 'the progress says what it counts: time, for a run bounded by time');
  assert.match(frame, /running api/);
  assert.match(frame, /p50 17\.5 ms\s+p90 31\.5 ms\s+p95 35\.0 ms\s+p99 49\.0 ms/);
  assert.match(frame, /x stop/);
  release();
  frame = await waitFor(app.lastFrame, (f) => f.includes('1020 req/s'));
  assert.match(frame, /p95 212 ms/, 'the percentiles update while the run goes');
  assert.match(frame, /1500 requests/);
  release();
  frame = await waitFor(app.lastFrame, (f) => f.includes('BREACHED'));
  assert.match(frame, /FAIL\s+p95<150ms\s+p95 = 212 ms, not under 150 ms/);
  assert.match(frame, /BREACHED: p95<150ms/);
  frame = await waitFor(app.lastFrame, (f) => f.includes('3 runs stored'));
  assert.match(frame, /3\s+\S+ ago\s+api\s+500\s+106 ms\s+212 ms\s+297 ms\s+0\.0%\s+FAILED/);
});

test('compare: the selected run against the marked baseline shows deltas and a verdict', async () => {
  const runs = [run(3, 212, false), run(2, 40, true), run(1, 30, true)];
  const services = fakeServices({
    'loadtest.history': () => history(runs),
    'loadtest.compare': (input): LoadtestComparison => {
      const current = runs.find((r) => r.id === input.run)!;
      const baseline = runs.find((r) => r.id === (input.baseline ?? current.id - 1))!;
      return { ...compareRuns(current, baseline, 5), run: current, baseline, noisePercent: 5 };
    },
  });
  const app = open(services, { initialPane: 'loadtests' });
  await waitFor(app.lastFrame, (f) => f.includes('runs stored'));
  app.stdin.write('f');
  await waitFor(app.lastFrame, (f) => f.includes('focus: runs'));
  // Mark run 1 as the baseline, then compare run 3 with it.
  app.stdin.write('G');
  await waitFor(app.lastFrame, (f) =>
    f.includes('selected run 1: GET http://127.0.0.1:8080/api · closed c10 · 5000 requests · 10s'),
  );
  app.stdin.write('b');
  let frame = await waitFor(app.lastFrame, (f) => f.includes('baseline run 1'));
  assert.match(frame, /\*1/);
  app.stdin.write('g');
  await waitFor(app.lastFrame, (f) => f.includes('selected run 3'));
  app.stdin.write('c');
  frame = await waitFor(app.lastFrame, (f) => f.includes('REGRESSION'));
  assert.match(frame, /run 3 vs baseline 1: REGRESSION/);
  assert.match(frame, /p95\s+30\.0 ms →\s+212 ms\s+\+606\.7%\s+noise ±\S+ ms\s+worse/);
  assert.equal(
    services.calls.filter((c) => c.name === 'loadtest.compare').map((c) => c.input),
    [{ run: 3, baseline: 1 }],
  );
  app.stdin.write('\u001B');
  await waitFor(app.lastFrame, (f) => !f.includes('REGRESSION'));
});

test('a history that cannot be read shows the error and keeps the keys working', async () => {
  const services = fakeServices({
    'loadtest.history': () => {
      throw new Error('state store: database is locked');
    },
  });
  const app = open(services, { initialPane: 'loadtests' });
  const frame = await waitFor(app.lastFrame, (f) => f.includes('database is locked'));
  assert.match(frame, /r refresh/);
});

test('the throughput sparkline draws one column per measured second, not one per tick; request-bounded progress says requests', async () => {
  let release: () => void = () => undefined;
  const services = fakeServices({
    'loadtest.history': () => history([]),
    'loadtest.run': async (_input, options) => {
      // Four ticks a second, each carrying the throughput of the last closed second (as the engine sends them).
      for (const [second, rps] of [
        [1, 100],
        [2, 400],
        [3, 200],
      ] as const)
        for (let i = 0; i < 4; i++)
          options.onProgress?.({
            phase: 'running',
            done: second * 400 + i,
            total: 5000,
            item: liveTick(second * 400 + i, rps, 20, second),
          });
      await new Promise<void>((r) => (release = r));
      throw new Error('stopped');
    },
  });
  const app = open(services, { initialPane: 'loadtests' });
  await waitFor(app.lastFrame, (f) => f.includes('⏎ run profile'));
  await tick(100);
  app.stdin.write('j');
  await tick(100);
  app.stdin.write('\r');
  const asked = await waitFor(app.lastFrame, (f) => f.includes('Start load test search') && f.includes('y start'));
  assert.match(
    asked.replace(/[│╭╮╰╯─]/g, ' ').replace(/\s+/g, ' '),
    /POST http:\/\/127\.0\.0\.1:8080\/search · open model, 200 requests\/s · up to 5000 requests/,
  );
  app.stdin.write('\r'); // the Start button has the focus in this dialog
  const frame = await waitFor(app.lastFrame, (f) => f.includes('200 req/s') && f.includes('1,203/5,000 requests'));
  assert.match(frame, /200 req\/s ▂█▄ {2}1203 requests/);
  release();
});

test.run();
