// The BigQuery adapter against the REST fake (tests/fakes/bigquery.ts): what a load and a sync read cost in API calls,
// which is what BigQuery bills and rate-limits, whatever the row count.
// - upsert: calls for 50 000 rows against calls for 10 rows (staging table, one upload, one MERGE, drop): a load is a
//   fixed number of jobs, never one request per row (streaming inserts). Target 1.0×.
// - stream: getQueryResults pages read for N rows against the minimum ceil(N / batchSize). Target 1.0×.
// Also prints the wall time of each, for reference (the fake runs the SQL in DuckDB in the same process).
import { register } from 'tsx/esm/api';
import { finish, verdict } from './lib.mjs';

register();
const dist = new URL('../dist/', import.meta.url);
const { startBigqueryFake } = await import(new URL('../tests/fakes/bigquery.ts', import.meta.url).href);
const { openBigqueryWarehouse } = await import(new URL('src/warehouse/bigquery.js', dist));
const { configSchema } = await import(new URL('src/config/schema.js', dist));
const { SPOTIFY_TABLES } = await import(new URL('src/spotify/tables.js', dist));

const ROWS = Number(process.env.BENCH_ROWS ?? 50_000);
const BATCH = 5_000;
const fake = await startBigqueryFake();
const config = configSchema.parse({
  warehouse: { kind: 'bigquery', bigquery: { projectId: 'acme-data', apiEndpoint: fake.url, accessToken: 'bench' } },
});
const wh = await openBigqueryWarehouse(config.warehouse.bigquery);
const def = SPOTIFY_TABLES.recently_played;
await wh.ensureTables([def]);
const plays = (n, from) =>
  Array.from({ length: n }, (_, i) => ({
    user_id: `u${(from + i) % 7}`,
    played_at: new Date(Date.UTC(2026, 0, 1) + (from + i) * 1000).toISOString(),
    track_id: `t${(from + i) % 997}`,
    context_type: 'playlist',
    context_uri: null,
    extracted_at: '2026-11-20T00:00:00.000Z',
  }));

async function measure(fn) {
  const before = fake.requests.length;
  const t0 = performance.now();
  const out = await fn();
  return { calls: fake.requests.length - before, ms: performance.now() - t0, out };
}

const small = await measure(() => wh.upsert(def, plays(10, 0)));
const large = await measure(() => wh.upsert(def, plays(ROWS, 10)));
const total = 10 + ROWS;
const stream = await measure(async () => {
  let n = 0;
  for await (const page of wh.stream('SELECT * FROM recently_played ORDER BY played_at', [], { batchSize: BATCH }))
    n += page.length;
  return n;
});
const pages = fake.requests.slice(-stream.calls).filter((r) => r.path.includes('/queries/')).length;
await wh.close();
await fake.close();

console.log(`upsert 10 rows        ${small.calls} API calls, ${small.ms.toFixed(0)} ms`);
console.log(
  `upsert ${ROWS} rows    ${large.calls} API calls, ${large.ms.toFixed(0)} ms (${large.out.inserted} inserted)`,
);
console.log(
  `stream ${stream.out} rows  ${pages} pages of ≤ ${BATCH} (${stream.calls} calls in all), ${stream.ms.toFixed(0)} ms`,
);
const ok1 = verdict('upsert API calls, 50k rows / 10 rows', large.calls / small.calls, 1.0);
const ok2 = verdict('stream pages / ceil(rows / batchSize)', pages / Math.ceil(total / BATCH), 1.0);
finish(
  'bigquery',
  'API calls per upsert at 50,000 rows against 10 rows, and result pages against the minimum (REST fake)',
  ok1 && ok2 && stream.out === total,
);
