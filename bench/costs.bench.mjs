// `costs.report` against the BigQuery REST fake (tests/fakes/bigquery-costs.ts, a year of jobs) next to the same six
// INFORMATION_SCHEMA queries sent bare and in parallel through the same @google-cloud/bigquery client (what a
// hand-written script would do), in the same process, interleaved: median of each and the ratio. The difference is
// opsctl's own work: pricing, projection, levels and the daily snapshot in the state store. Target ≤ 1.5×.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from 'tsx/esm/api';
import { finish, median, verdict } from './lib.mjs';

register();
const dist = new URL('../dist/', import.meta.url);
const { startBigqueryCostsFake } = await import(new URL('../tests/fakes/bigquery-costs.ts', import.meta.url).href);
const { costsReport } = await import(new URL('commands/costs/report.js', dist));
const { invoke } = await import(new URL('commands/operation.js', dist));
const { createRuntime } = await import(new URL('commands/runtime.js', dist));
const { loadConfig } = await import(new URL('src/config/load.js', dist));
const { silentLogger } = await import(new URL('src/log/logger.js', dist));
const { createBigqueryClient, guardedQuery } = await import(new URL('src/warehouse/bigquery-client.js', dist));

const RUNS = Number(process.env.BENCH_RUNS ?? 41);
const GIB = 1024 ** 3;
const now = Date.parse('2026-11-15T12:00:00Z');
const jobs = Array.from({ length: 20_000 }, (_, i) => ({
  jobId: `j${i}`,
  user: ['dashboards@acme.com', 'opsctl@acme.com', 'analyst@acme.com'][i % 3],
  createdAt: new Date(now - (i % 365) * 86_400_000 - (i % 1000) * 1000).toISOString(),
  bytesBilled: (i % 97) * GIB,
  bytesProcessed: (i % 97) * GIB,
  labels: i % 3 === 1 ? { app: 'opsctl', pipeline: 'spotify' } : { dashboard: 'sales' },
  query: `SELECT * FROM t${i % 50}`,
}));
const fake = await startBigqueryCostsFake({
  jobs,
  storage: [{ dataset: 'spotify_data', table: 'plays', activeBytes: 5 * GIB, longTermBytes: GIB }],
});
const home = mkdtempSync(join(tmpdir(), 'opsctl-bench-costs-'));
const loaded = loadConfig({
  cwd: home,
  env: { OPSCTL_HOME: home, BIGQUERY_ACCESS_TOKEN: 'bench-token' },
  fileConfig: { warehouse: { kind: 'bigquery', bigquery: { projectId: 'acme', apiEndpoint: fake.url } } },
});
const ctx = createRuntime({ loaded, log: silentLogger, trigger: 'cli' });
const bq = loaded.config.warehouse.bigquery;
const client = createBigqueryClient(bq);
const MARKERS = ['storage', 'daily', 'by_user', 'by_label', 'opsctl', 'top'];
const bare = async () =>
  Promise.all(
    MARKERS.map((m) =>
      client.query(
        guardedQuery(
          bq,
          `-- opsctl:costs.${m}\nSELECT 1`,
          m === 'storage' ? {} : { params: m === 'daily' ? { since: '2026-10-17' } : { shown_since: '2026-10-17' } },
        ),
      ),
    ),
  );
const report = async () => invoke(costsReport, ctx, { asOf: '2026-11-15T12:00:00Z' });

const time = async (fn) => {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
};
await report();
await bare();
const a = [];
const b = [];
for (let i = 0; i < RUNS; i++) {
  b.push(await time(bare));
  a.push(await time(report));
}
await ctx.close();
await fake.close();
rmSync(home, { recursive: true, force: true });
console.log(`6 bare queries        ${median(b).toFixed(1)} ms (median of ${RUNS})`);
console.log(`costs.report          ${median(a).toFixed(1)} ms (6 queries over ${jobs.length} jobs, pricing, snapshot)`);
finish(
  'costs',
  'costs.report against the same INFORMATION_SCHEMA queries sent bare through the same client (REST fake)',
  verdict('costs.report / the same queries bare', median(a) / median(b), 1.5),
);
