// Loading 100k recently_played rows into DuckDB through the warehouse port's `upsert` (appender staging into a temp
// table, then one MERGE on the key with last-wins dedupe and inserted/updated counts), next to DuckDB loading the same
// rows by itself with `COPY … FROM` a CSV file into the same table (primary key included): the reference is the
// engine's own bulk path with no JavaScript in the loop. Interleaved, fresh table each time, median of each and the
// ratio. Also prints a re-load of the same rows (the MERGE that changes nothing). Target ≤ 3×.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finish, median, verdict } from './lib.mjs';

const dist = new URL('../dist/', import.meta.url);
const { openDuckdbWarehouse } = await import(new URL('src/warehouse/duckdb.js', dist));
const { SPOTIFY_TABLES } = await import(new URL('src/spotify/tables.js', dist));
const { createTableSql } = await import(new URL('src/warehouse/duckdb/ddl.js', dist));

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const def = SPOTIFY_TABLES.recently_played;
const base = Date.parse('2026-01-01T00:00:00Z');
const extractedAt = '2026-12-01T00:00:00.000Z';
const rows = Array.from({ length: ROWS }, (_, i) => ({
  user_id: `user${i % 50}`,
  played_at: new Date(base + i * 37_000).toISOString(),
  track_id: `track${(i * 7919) % 20_000}`,
  context_type: i % 3 ? 'playlist' : null,
  context_uri: i % 3 ? `spotify:playlist:p${i % 40}` : null,
  extracted_at: extractedAt,
}));

const dir = mkdtempSync(join(tmpdir(), 'opsctl-bench-etl-'));
const csv = join(dir, 'plays.csv');
writeFileSync(
  csv,
  [
    'user_id,played_at,track_id,context_type,context_uri,extracted_at',
    ...rows.map((r) =>
      [r.user_id, r.played_at, r.track_id, r.context_type ?? '', r.context_uri ?? '', r.extracted_at].join(','),
    ),
  ].join('\n'),
);
const w = await openDuckdbWarehouse(join(dir, 'bench.duckdb'));
const fresh = async () => {
  await w.connection.run('DROP TABLE IF EXISTS recently_played');
  await w.connection.run(createTableSql(def));
};
const time = async (fn) => {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
};
const copy = () =>
  w.connection.run(
    `COPY recently_played FROM '${csv.replace(/'/g, "''")}' (HEADER, TIMESTAMPFORMAT '%Y-%m-%dT%H:%M:%S.%gZ')`,
  );
let result;
const upsert = async () => {
  result = await w.upsert(def, rows);
};

// Warm up both paths once, and check they load the same thing.
await fresh();
await copy();
const copied = (await w.query('SELECT count(*) AS n, max(played_at) AS m FROM recently_played'))[0];
await fresh();
await upsert();
const upserted = (await w.query('SELECT count(*) AS n, max(played_at) AS m FROM recently_played'))[0];
if (copied.n !== upserted.n || String(copied.m) !== String(upserted.m) || result.inserted !== ROWS) {
  throw new Error(
    `the two paths disagree: COPY ${copied.n} rows, upsert ${upserted.n} rows (${JSON.stringify(result)})`,
  );
}

const a = [];
const b = [];
const again = [];
for (let i = 0; i < RUNS; i++) {
  await fresh();
  b.push(await time(copy));
  await fresh();
  a.push(await time(upsert));
  again.push(await time(upsert));
  if (result.inserted !== 0 || result.updated !== 0) throw new Error(`re-load changed rows: ${JSON.stringify(result)}`);
}
await w.close();
rmSync(dir, { recursive: true, force: true });
console.log(`COPY FROM csv (DuckDB alone)   ${median(b).toFixed(1)} ms (median of ${RUNS}, ${ROWS} rows)`);
console.log(
  `upsert, new rows               ${median(a).toFixed(1)} ms (${(ROWS / (median(a) / 1000)).toFixed(0)} rows/s)`,
);
console.log(`upsert, same rows again        ${median(again).toFixed(1)} ms (0 inserted, 0 updated)`);
finish(
  'etl-load',
  'upsert through the DuckDB adapter against the COPY FROM of DuckDB itself from a CSV of the same rows',
  verdict('upsert / COPY FROM csv', median(a) / median(b), 3),
);
