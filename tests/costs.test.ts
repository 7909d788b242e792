import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CostsCheckResult } from '../commands/costs/check.js';
import type { CostReportWithTrend } from '../commands/costs/collect.js';
import type { CostEstimate } from '../commands/costs/estimate.js';
import { monthWindow, projectToMonthEnd } from '../src/costs/month.js';
import { buildReport, queryCostUsd, storageCostUsd } from '../src/costs/report.js';
import { logicalBytes } from '../src/costs/metering.js';
import { configSchema } from '../src/config/schema.js';
import { startBigqueryCostsFake, type BigqueryCostsFake, type FakeJob } from './fakes/bigquery-costs.js';
import { cliHome, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const GIB = 1024 ** 3;
const TIB = 1024 ** 4;
const MIB = 1024 ** 2;
const AS_OF = '2026-11-15T12:00:00Z';
const costs = configSchema.parse({}).costs;

const jobs: FakeJob[] = [
  {
    jobId: 'j1',
    user: 'dashboards@acme.iam.gserviceaccount.com',
    createdAt: '2026-11-02T08:00:00Z',
    bytesBilled: 200 * GIB,
    bytesProcessed: 200 * GIB,
    labels: { dashboard: 'sales' },
    query: 'SELECT * FROM spotify_data.recently_played',
  },
  {
    jobId: 'j2',
    user: 'opsctl@acme.iam.gserviceaccount.com',
    createdAt: '2026-11-10T02:00:00Z',
    bytesBilled: 100 * GIB,
    bytesProcessed: 100 * GIB,
    labels: { app: 'opsctl', pipeline: 'spotify' },
    query: 'MERGE spotify_data.tracks',
  },
  {
    jobId: 'j3',
    user: 'dashboards@acme.iam.gserviceaccount.com',
    createdAt: '2026-11-15T09:00:00Z',
    bytesBilled: 300 * GIB,
    bytesProcessed: 300 * GIB,
    labels: { dashboard: 'sales' },
    query: 'SELECT artist_id, COUNT(*) FROM spotify_data.top_artists GROUP BY 1',
  },
  {
    jobId: 'j4',
    user: 'analyst@acme.com',
    createdAt: '2026-10-20T10:00:00Z',
    bytesBilled: 1 * TIB,
    bytesProcessed: 1 * TIB,
    query: 'SELECT * FROM old',
  },
  {
    jobId: 'j5',
    user: 'analyst@acme.com',
    createdAt: '2026-11-14T10:00:00Z',
    bytesBilled: 0,
    bytesProcessed: 0,
    cacheHit: true,
    query: 'SELECT 1',
  },
  {
    jobId: 'j6',
    user: 'loader@acme.com',
    createdAt: '2026-11-03T10:00:00Z',
    bytesBilled: 0,
    bytesProcessed: 5 * GIB,
    jobType: 'LOAD',
    query: '',
  },
];
const storage = [
  { dataset: 'spotify_data', table: 'recently_played', activeBytes: 20 * GIB, longTermBytes: 5 * GIB },
  { dataset: 'spotify_data', table: 'tracks', activeBytes: 5 * GIB, longTermBytes: 0 },
];

let fake: BigqueryCostsFake;
test.before(async () => {
  fake = await startBigqueryCostsFake({
    jobs,
    storage,
    dryRunBytes: (sql) => (sql.includes('top_artists') ? 5 * GIB + 1 : 2 * MIB),
  });
});
test.after(async () => fake.close());

function bigqueryWorkspace(extra: Record<string, unknown> = {}) {
  const dir = tempDir('opsctl-costs-');
  writeFileSync(
    join(dir, 'opsctl.config.json'),
    JSON.stringify({
      home: './home',
      warehouse: { kind: 'bigquery', bigquery: { projectId: 'acme-data', apiEndpoint: fake.url, ...extra } },
    }),
  );
  return { dir, env: { BIGQUERY_ACCESS_TOKEN: 'test-token-not-secret-enough' } };
}

test('the report from INFORMATION_SCHEMA: figures to the byte and the cent, projection and levels', async () => {
  const ws = bigqueryWorkspace();
  const r = await runCli(['costs', '--json', '--as-of', AS_OF], { cwd: ws.dir, env: ws.env });
  assert.is(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as CostReportWithTrend;
  assert.equal(report.month, { start: '2026-11-01', end: '2026-11-30', daysInMonth: 30, elapsedDays: 15 });
  assert.is(report.monthToDate.bytesBilled, 600 * GIB, 'October and the LOAD job are not in the month');
  assert.is(report.monthToDate.queryUsd, 0, '600 GiB is inside the 1 TiB free tier');
  assert.is(report.monthToDate.storageUsd, 0.175);
  assert.is(report.projection.bytesBilled, 1200 * GIB);
  assert.is(report.projection.queryUsd, 1.074219, '(1200 − 1024) GiB at $6.25/TiB');
  assert.is(report.projection.storageUsd, 0.35, '15 GiB active × $0.02 + 5 GiB long-term × $0.01');
  assert.is(report.projection.totalUsd, 1.424219);
  assert.is(report.budget.percent, 142.4219);
  assert.is(report.freeTier.queryPercent, 117.1875);
  assert.is(report.freeTier.storagePercent, 300);
  assert.equal(
    report.crossed.map((l) => `${l.subject}@${l.level}`),
    ['budget@100', 'query free tier@100', 'storage free tier@100'],
  );
  assert.is(report.opsctl.bytesBilled, 100 * GIB);
  assert.is(report.opsctl.otherBytesBilled, 500 * GIB + 1 * TIB);
  assert.equal(
    report.byUser.map((u) => [u.key, u.bytesBilled / GIB]),
    [
      ['analyst@acme.com', 1024],
      ['dashboards@acme.iam.gserviceaccount.com', 500],
      ['opsctl@acme.iam.gserviceaccount.com', 100],
    ],
  );
  assert.ok(report.byLabel.some((l) => l.key === 'app=opsctl' && l.bytesBilled === 100 * GIB));
  assert.equal(
    report.top.map((q) => q.jobId),
    ['j4', 'j3', 'j1', 'j2', 'j5'],
  );
  assert.equal(report.top[3]!.labels, { app: 'opsctl', pipeline: 'spotify' });
  assert.equal(
    report.daily.find((d) => d.day === '2026-11-14'),
    { day: '2026-11-14', bytesBilled: 0, bytesProcessed: 0, jobs: 1, cacheHits: 1, usd: 0 },
  );
  assert.is(report.storage.tables[0]!.monthlyUsd, 0.45, 'a table priced alone, without the free tier');
  assert.is(report.snapshot.day, '2026-11-15');
  assert.is(report.trend.length, 1);
});

test('every query opsctl sends carries its labels and the maximumBytesBilled cap', async () => {
  const ws = bigqueryWorkspace({ maximumBytesBilled: '50000000' });
  const before = fake.requests.length;
  const r = await runCli(['costs', '--json', '--as-of', AS_OF], { cwd: ws.dir, env: ws.env });
  assert.is(r.code, 0, r.stderr);
  const sent = fake.requests.slice(before).filter((q) => q.path.endsWith('/queries'));
  assert.is(sent.length, 6);
  for (const q of sent) {
    assert.equal(q.body.labels, { app: 'opsctl', pipeline: 'costs' });
    assert.is(q.body.maximumBytesBilled, '50000000');
    assert.is(q.body.useLegacySql, false);
    assert.match(q.body.query, /`acme-data`\.`region-us`\.INFORMATION_SCHEMA\.(TABLE_STORAGE|JOBS_BY_PROJECT)/);
  }
  const daily = sent.find((q) => q.body.query.startsWith('-- opsctl:costs.daily'))!;
  assert.equal(
    daily.body.queryParameters[0].parameterValue,
    { value: '2026-10-17' },
    'the earlier of the 30-day window and the month start',
  );
});

test('a query over the cap fails with a clear message, exit 1, and nothing is charged', async () => {
  const ws = bigqueryWorkspace({ maximumBytesBilled: '1000' });
  const r = await runCli(['costs', '--as-of', AS_OF], { cwd: ws.dir, env: ws.env });
  assert.is(r.code, 1);
  assert.match(r.stderr, /BigQuery refused costs\.\w+: it would bill more than maximumBytesBilled/);
  assert.match(r.stderr, /nothing was charged/);
  assert.match(r.stderr, /warehouse\.bigquery\.maximumBytesBilled/);
});

test('costs check exits 1 when the projection crosses the level, 0 below it', async () => {
  const ws = bigqueryWorkspace();
  const over = await runCli(['costs', 'check', '--json', '--as-of', AS_OF], { cwd: ws.dir, env: ws.env });
  assert.is(over.code, 1, over.stderr);
  const result = JSON.parse(over.stdout) as CostsCheckResult;
  assert.not.ok(result.ok);
  assert.equal(
    result.breaches.map((l) => l.subject),
    ['budget', 'query free tier', 'storage free tier'],
  );
  const high = await runCli(['costs', 'check', '--fail-at', '400', '--as-of', AS_OF], { cwd: ws.dir, env: ws.env });
  assert.is(high.code, 0, high.stdout + high.stderr);
  assert.match(high.stdout, /OK: projection \$1\.42 of \$1\.00 budget \(142%\)/);
});

test('costs estimate: a dry run reports bytes and price, sends labels and the cap, and flags a query over the cap', async () => {
  const ws = bigqueryWorkspace({ maximumBytesBilled: String(1 * GIB) });
  const before = fake.requests.length;
  const big = await runCli(['costs', 'estimate', '--json', 'SELECT artist_id FROM spotify_data.top_artists'], {
    cwd: ws.dir,
    env: ws.env,
  });
  assert.is(big.code, 1, 'over the cap');
  const e = JSON.parse(big.stdout) as CostEstimate;
  assert.is(e.bytesProcessed, 5 * GIB + 1);
  assert.is(e.bytesBilled, 5 * GIB + MIB, 'rounded up to the MiB');
  assert.is(e.usd, Math.round(((5 * GIB + MIB) / TIB) * 6.25 * 1e6) / 1e6);
  assert.not.ok(e.withinCap);
  const job = fake.requests.slice(before).find((q) => q.path.endsWith('/jobs'))!;
  assert.is(job.body.configuration.dryRun, true);
  assert.equal(job.body.configuration.labels, { app: 'opsctl', pipeline: 'estimate' });
  assert.is(job.body.configuration.query.maximumBytesBilled, String(1 * GIB));
  const small = await runCli(['costs', 'estimate', 'SELECT 1'], { cwd: ws.dir, env: ws.env });
  assert.is(small.code, 0, small.stderr);
  assert.match(small.stdout, /bytes billed\s+10\.0 MiB \(minimum 10 MiB per query\)/);
  assert.match(small.stdout, /within/);
});

test('projection edge cases: first day, month lengths, no usage', () => {
  assert.equal(monthWindow(new Date('2026-03-01T00:05:00Z')), {
    start: '2026-03-01',
    end: '2026-03-31',
    daysInMonth: 31,
    elapsedDays: 1,
  });
  assert.is(monthWindow(new Date('2028-02-29T23:59:59Z')).daysInMonth, 29, 'leap year');
  assert.is(monthWindow(new Date('2027-02-10T00:00:00Z')).daysInMonth, 28);
  assert.is(monthWindow(new Date('2026-04-30T12:00:00Z')).daysInMonth, 30);
  assert.is(
    projectToMonthEnd(10 * GIB, monthWindow(new Date('2026-03-01T00:05:00Z'))),
    310 * GIB,
    "first day: a day's usage × 31",
  );
  assert.is(
    projectToMonthEnd(28 * GIB, monthWindow(new Date('2027-02-28T10:00:00Z'))),
    28 * GIB,
    'last day: the month to date',
  );
  assert.is(projectToMonthEnd(0, monthWindow(new Date('2026-03-15T00:00:00Z'))), 0);
  const empty = buildReport(
    { storage: [], daily: [], byUser: [], byLabel: [], opsctlBytesBilled: 0, top: [] },
    { costs, now: new Date('2026-03-01T00:00:00Z'), days: 30, warehouse: 'bigquery', location: 'x' },
  );
  assert.is(empty.projection.totalUsd, 0);
  assert.is(empty.budget.percent, 0);
  assert.equal(empty.crossed, []);
});

test('usage only from other principals: opsctl is credited nothing; pricing rules', () => {
  const daily = [{ day: '2026-11-05', bytesBilled: 2 * TIB, bytesProcessed: 2 * TIB, jobs: 3, cacheHits: 0 }];
  const r = buildReport(
    {
      storage: [],
      daily,
      byUser: [{ key: 'bi@acme.com', bytesBilled: 2 * TIB, jobs: 3 }],
      byLabel: [],
      opsctlBytesBilled: 0,
      top: [],
    },
    { costs, now: new Date('2026-11-10T00:00:00Z'), days: 30, warehouse: 'bigquery', location: 'x' },
  );
  assert.is(r.opsctl.bytesBilled, 0);
  assert.is(r.opsctl.otherBytesBilled, 2 * TIB);
  assert.is(r.monthToDate.queryUsd, 6.25, 'one TiB over the free tier');
  assert.is(r.projection.bytesBilled, 6 * TIB, '2 TiB over 10 days × 30');
  assert.is(r.projection.queryUsd, 31.25);
  assert.equal(
    r.crossed.map((l) => `${l.subject}@${l.level}`),
    ['budget@100', 'query free tier@100'],
  );
  assert.is(queryCostUsd(1 * TIB, costs), 0);
  assert.is(
    storageCostUsd(4 * GIB, 8 * GIB, costs),
    0.02,
    'free 10 GiB: all 4 active, 6 of the long-term; 2 GiB × $0.01',
  );
  const fiftyPercent = buildReport(
    {
      storage: [],
      daily: [{ day: '2026-11-01', bytesBilled: 512 * GIB, bytesProcessed: 0, jobs: 1, cacheHits: 0 }],
      byUser: [],
      byLabel: [],
      opsctlBytesBilled: 0,
      top: [],
    },
    { costs, now: new Date('2026-11-30T00:00:00Z'), days: 30, warehouse: 'bigquery', location: 'x' },
  );
  assert.equal(
    fiftyPercent.crossed.map((l) => `${l.subject}@${l.level}`),
    ['query free tier@50'],
  );
});

test("DuckDB: storage per table in BigQuery logical bytes, and opsctl's own metered reads, in the same report shape", async () => {
  const dir = tempDir('opsctl-costs-duck-');
  const home = join(dir, 'home');
  const { openDuckdbWarehouse } = await import('../src/warehouse/duckdb.js');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(home, { recursive: true });
  const wh = await openDuckdbWarehouse(join(home, 'warehouse.duckdb'));
  await wh.query(
    "CREATE TABLE plays (id BIGINT, name VARCHAR, ok BOOLEAN); INSERT INTO plays VALUES (1, 'ab', true), (2, 'abc', NULL), (3, NULL, false)",
  );
  await wh.close();
  const { openStateStore } = await import('../src/state/open.js');
  const { recordWarehouseJob } = await import('../src/costs/store.js');
  const store = await openStateStore(`sqlite:${join(home, 'state.db')}`);
  await recordWarehouseJob(store, {
    warehouse: 'duckdb',
    operation: 'sync.run',
    pipeline: 'dashboards',
    bytesScanned: 3 * GIB,
    rowsRead: 10,
    query: 'SELECT * FROM dashboard_data',
    createdAt: '2026-11-15T01:00:00.000Z',
  });
  await recordWarehouseJob(store, {
    warehouse: 'duckdb',
    operation: 'etl.run',
    pipeline: 'spotify',
    bytesScanned: 1 * GIB,
    rowsRead: 5,
    query: 'SELECT * FROM tracks',
    createdAt: '2026-11-14T01:00:00.000Z',
  });
  await store.close();
  const r = await runCli(['costs', '--json', '--as-of', AS_OF], { cwd: dir, env: cliHome(home) });
  assert.is(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as CostReportWithTrend;
  assert.is(report.warehouse, 'duckdb');
  assert.equal(report.storage.tables, [
    { dataset: 'main', table: 'plays', activeBytes: 3 * 8 + 4 + 5 + 2, longTermBytes: 0, monthlyUsd: 0 },
  ]);
  assert.is(report.monthToDate.bytesBilled, 4 * GIB);
  assert.is(report.projection.bytesBilled, 8 * GIB);
  assert.is(report.opsctl.bytesBilled, 4 * GIB);
  assert.equal(
    report.byLabel.map((l) => l.key),
    ['pipeline=dashboards', 'pipeline=spotify'],
  );
  assert.is(report.top[0]!.query, 'SELECT * FROM dashboard_data');
  assert.match(report.notes[0]!, /DuckDB bills nothing/);
});

test("metering measures rows in BigQuery's data-type sizes", () => {
  assert.is(logicalBytes([{ a: 1, b: 'héllo', c: null, d: true, e: new Date() }]), 8 + 2 + 6 + 0 + 1 + 8);
  assert.is(logicalBytes([]), 0);
});

test.run();
