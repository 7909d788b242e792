import { suite, test } from 'uvu';
import * as assert from 'uvu/assert';
import { compareRuns } from '../src/loadtest/compare.js';
import type { SecondSample } from '../src/loadtest/types.js';
import { createHistogram, decodeHistogram, encodeHistogram, recordMs, summarize } from '../src/loadtest/histogram.js';
import {
  getHistogram,
  getRun,
  lastRunByProfile,
  listRuns,
  previousRun,
  saveRun,
  type NewLoadTestRun,
  type LoadTestRun,
} from '../src/loadtest/store.js';
import { openStateStore } from '../src/state/open.js';
import type { StateStore } from '../src/state/store.js';
import { stateEngines } from './helpers/state-engines.js';

function samples(perSecond: number[], p95: number[]): SecondSample[] {
  return perSecond.map((requests, i) => ({
    t: i + 1,
    requests,
    errors: 0,
    p50: p95[i]! / 2,
    p95: p95[i]!,
    p99: p95[i]! * 1.5,
  }));
}

function fakeRun(over: Partial<NewLoadTestRun> & { perSecond?: number[]; p95s?: number[] } = {}): NewLoadTestRun {
  const perSecond = over.perSecond ?? [1000, 1010, 990, 1005, 995, 1000];
  const p95s = over.p95s ?? [20, 21, 19, 20, 20.5, 19.5];
  const requests = perSecond.reduce((a, b) => a + b, 0);
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const p95 = mean(p95s);
  return {
    profile: 'api',
    url: 'http://127.0.0.1:8080/api',
    method: 'GET',
    startedAt: '2026-12-01T10:00:00.000Z',
    finishedAt: '2026-12-01T10:00:06.000Z',
    plan: {
      model: 'closed',
      connections: 10,
      durationMs: 6000,
      warmupMs: 1000,
      timeoutMs: 10000,
      headers: { authorization: '***' },
      bodyBytes: 0,
    },
    durationMs: 6000,
    requests,
    responses: requests,
    rps: requests / 6,
    bytesRead: requests * 100,
    latency: {
      min: 1,
      mean: p95 / 2,
      stdev: 2,
      p50: p95 / 2,
      p90: p95 * 0.9,
      p95,
      p99: p95 * 1.5,
      p999: p95 * 2,
      max: p95 * 3,
    },
    statusCodes: { 200: requests },
    errors: { timeout: 0, refused: 0, reset: 0, other: 0 },
    errorTotal: 0,
    errorRate: 0,
    non2xx: 0,
    errorSamples: {},
    warmupRequests: 100,
    samples: samples(perSecond, p95s),
    thresholds: [],
    passed: true,
    trigger: 'cli',
    ...over,
  };
}

const asRun = (r: NewLoadTestRun, id: number): LoadTestRun => ({ ...r, id });

test('compare: jitter inside the noise band is "same"; slower and fewer is a regression; faster is better', () => {
  const base = asRun(fakeRun(), 1);
  const same = compareRuns(
    asRun(fakeRun({ perSecond: [1003, 996, 1008, 992, 1001, 1000], p95s: [20.2, 20.8, 19.1, 20, 20.4, 19.9] }), 2),
    base,
    5,
  );
  assert.is(same.verdict, 'same');
  assert.equal(same.reasons, []);

  const slow = compareRuns(
    asRun(fakeRun({ perSecond: [700, 710, 690, 705, 695, 700], p95s: [40, 41, 39, 40, 40.5, 39.5] }), 3),
    base,
    5,
  );
  assert.is(slow.verdict, 'regression');
  assert.equal(
    slow.metrics.filter((m) => m.change === 'worse').map((m) => m.metric),
    ['rps', 'p50', 'p95', 'p99'],
  );
  assert.match(slow.reasons[0]!, /^rps worse: 1000 req\/s → 700 req\/s \(-30\.0%, noise ±\d+(\.\d+)? req\/s\)$/);

  const fast = compareRuns(
    asRun(fakeRun({ perSecond: [1500, 1510, 1490, 1505, 1495, 1500], p95s: [10, 11, 9, 10, 10.5, 9.5] }), 4),
    base,
    5,
  );
  assert.is(fast.verdict, 'better');

  // A noisy baseline widens the band: a 10 % drop in throughput is within its jitter.
  const noisy = asRun(fakeRun({ perSecond: [600, 1400, 700, 1300, 800, 1200] }), 5);
  const within = compareRuns(asRun(fakeRun({ perSecond: [900, 1000, 800, 950, 850, 900] }), 6), noisy, 5);
  assert.is(within.metrics[0]!.change, 'same');

  // Errors: 10 % of 6000 requests against none is a regression even with latency unchanged.
  const errs = compareRuns(asRun(fakeRun({ errorTotal: 600, errorRate: 10, non2xx: 600 }), 7), base, 5);
  assert.is(errs.verdict, 'regression');
  assert.equal(
    errs.metrics.filter((m) => m.change === 'worse').map((m) => m.metric),
    ['error rate'],
  );
});

test('the HDR histogram survives encoding (stored with the run)', () => {
  const h = createHistogram();
  for (let i = 1; i <= 1000; i++) recordMs(h, i / 10);
  recordMs(h, 1000);
  const back = decodeHistogram(encodeHistogram(h));
  const { max: backMax, ...backPercentiles } = summarize(back);
  const { max, ...percentiles } = summarize(h);
  assert.equal(backPercentiles, percentiles);
  assert.ok(Math.abs(backMax - max) / max < 0.001, `max ${backMax} vs ${max}: HDR keeps 3 significant digits`);
  assert.ok(Math.abs(percentiles.p50 - 50.1) < 0.05, String(percentiles.p50));
});

const engines = stateEngines('opsctl_loadtest');

for (const engine of engines) {
  const t = suite<{ store: StateStore }>(`load-test runs in the state store (${engine.name})`);
  t.before(async (ctx) => {
    ctx.store = await openStateStore(await engine.url());
  });
  t.after(async (ctx) => {
    await ctx.store.close();
    await engine.cleanup();
  });

  t(
    'runs are stored with their report and histogram; history is newest first; the baseline is the previous run of the profile',
    async ({ store }) => {
      const h = createHistogram();
      recordMs(h, 12.5);
      const a = await saveRun(store, fakeRun(), encodeHistogram(h));
      const other = await saveRun(store, fakeRun({ profile: null, url: 'http://127.0.0.1:9000/' }), encodeHistogram(h));
      const b = await saveRun(
        store,
        fakeRun({
          passed: false,
          thresholds: [
            {
              text: 'p95<10ms',
              metric: 'p95',
              op: '<',
              value: 10,
              percent: false,
              actual: 20,
              passed: false,
              message: 'p95 = 20 ms, not under 10 ms',
            },
          ],
        }),
        encodeHistogram(h),
      );
      const c = await saveRun(store, fakeRun({ profile: null, url: 'http://127.0.0.1:9000/' }), encodeHistogram(h));
      assert.ok(b.id > a.id);
      assert.equal(
        (await listRuns(store)).map((r) => r.id),
        [c.id, b.id, other.id, a.id],
      );
      assert.equal(
        (await listRuns(store, { profile: 'api' })).map((r) => r.id),
        [b.id, a.id],
      );
      const got = await getRun(store, b.id);
      assert.is(got.passed, false);
      assert.is(got.thresholds[0]!.message, 'p95 = 20 ms, not under 10 ms');
      assert.equal(got.samples, b.samples);
      assert.is(got.plan.headers.authorization, '***');
      assert.is((await previousRun(store, got))!.id, a.id);
      assert.is(
        (await previousRun(store, await getRun(store, c.id)))!.id,
        other.id,
        'without a profile, the previous run against the same URL',
      );
      assert.is(await previousRun(store, await getRun(store, a.id)), undefined);
      assert.is((await lastRunByProfile(store, 'api'))!.id, b.id);
      assert.is(summarize(decodeHistogram((await getHistogram(store, b.id))!)).p50, 12.503);
      const missing = await getRun(store, 9999).then(
        () => undefined,
        (e: Error) => e,
      );
      assert.match(missing?.message ?? '', /load-test run 9999 does not exist/);
    },
  );

  t.run();
}

test.run();
