// The sync against raw COPY, in the same run, on the same PostgreSQL (TEST_PG_URL or postgres://postgres@127.0.0.1:5432):
//   1. throughput: `opsctl sync run` of 1,000,000 rows × 10 columns from the DuckDB warehouse into an empty table, as a
//      whole process (read, check, COPY into staging, dedupe, INSERT … ON CONFLICT, commit, watermark), against
//      `psql \copy` of the same rows as CSV into an empty table of the same DDL (primary key included); BENCH_ROUNDS
//      rounds (3), the ratio is the median of the rounds' ratios. Target ≥ 0.5×. The run takes the bulk path (DuckDB
//      writes the checked rows as CSV into a pipe that PostgreSQL COPYs); BENCH_SYNC_ROWS changes the size.
//   2. a run with nothing new (the last day re-read, nothing changed): process wall time, median of 5. Target < 1 s.
//   3. peak RSS of the process syncing 2,000,000 rows (GNU time's maximum resident set size). Target ≤ 250 MB.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { DuckDBInstance } from '@duckdb/node-api';
import { finish, median, verdict, wallMs } from './lib.mjs';
const { quotePg } = await import(new URL('../dist/src/db/identifiers.js', import.meta.url));

const ROWS = Number(process.env.BENCH_SYNC_ROWS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RSS_ROWS = Number(process.env.BENCH_SYNC_RSS_ROWS ?? 2_000_000);
const ADMIN = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BIN = fileURLToPath(new URL('../bin/opsctl', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'opsctl-bench-sync-'));
const csv = join(dir, 'rows.csv');
const warehouse = join(dir, 'warehouse.duckdb');

const dbUrl = (name) => Object.assign(new URL(ADMIN), { pathname: `/${name}` }).toString();
async function admin(sql) {
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}
const names = ['ref', 'sync', 'rss'].map((n) => `opsctl_bench_sync_${n}_${process.pid}`);
for (const n of names) await admin(`CREATE DATABASE ${quotePg(n)}`);
const [refDb, syncDb, rssDb] = names.map(dbUrl);

const COLUMNS = {
  id: 'bigint',
  fecha: 'date',
  cuenta: 'text',
  cartera: 'text',
  monto: 'numeric',
  pagado: 'numeric',
  llamadas: 'integer',
  contactos: 'integer',
  ratio: 'double precision',
  actualizado: 'timestamptz',
};
const select = (
  n,
  offset,
) => `SELECT CAST(i + ${offset} AS BIGINT) AS id, CAST(DATE '2024-01-01' + CAST(i % 1000 AS INTEGER) AS DATE) AS fecha,
  'CTA-' || lpad(CAST(i AS VARCHAR), 9, '0') AS cuenta, CASE i % 3 WHEN 0 THEN 'movil' WHEN 1 THEN 'hogar' ELSE 'empresas' END AS cartera,
  CAST((i % 100000) / 7.0 AS DECIMAL(14,2)) AS monto, CAST((i % 5000) / 3.0 AS DECIMAL(14,2)) AS pagado, CAST(i % 97 AS INTEGER) AS llamadas,
  CAST(i % 13 AS INTEGER) AS contactos, (i % 1000) / 1000.0 AS ratio, TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(i) AS actualizado
  FROM range(0, ${n}) t(i)`;

console.log(`preparing ${ROWS.toLocaleString()} rows (CSV and DuckDB warehouse) in ${dir}`);
{
  const instance = await DuckDBInstance.create(warehouse);
  const c = await instance.connect();
  await c.run('CREATE SCHEMA src');
  await c.run(`CREATE TABLE src.bench AS ${select(ROWS, 0)}`);
  await c.run(`CREATE TABLE src.bench_rss AS ${select(RSS_ROWS, 0)}`);
  await c.run(`COPY src.bench TO '${csv}' (FORMAT csv, HEADER false)`);
  c.closeSync();
  instance.closeSync();
}
const table = (name) => ({
  source: { table: `src.${name}` },
  columns: COLUMNS,
  primary_key: ['id'],
  incremental_column: 'fecha',
  lookback_days: 0,
});
const workspace = (url, name) => {
  const ws = mkdtempSync(join(dir, 'ws-'));
  writeFileSync(
    join(ws, 'opsctl.config.json'),
    JSON.stringify({
      home: './home',
      warehouse: { kind: 'duckdb', duckdb: { path: warehouse } },
      targets: { dash: { engine: 'postgres', url } },
      pipelines: { bench: { kind: 'sync', target: 'dash', tables: { [name]: table(name) } } },
    }),
  );
  return ws;
};
const syncWs = workspace(syncDb, 'bench');
const rssWs = workspace(rssDb, 'bench_rss');
const env = { PATH: process.env.PATH, HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1' };

// Both tables exist before the clock starts; both start empty.
const ddl = (t) =>
  `CREATE TABLE ${t} (${Object.entries(COLUMNS)
    .map(([c, ty]) => `${c} ${ty}${c === 'id' ? ' NOT NULL' : ''}`)
    .join(', ')}, PRIMARY KEY (id))`;
wallMs('psql', [refDb, '-qc', ddl('bench')]);
wallMs(process.execPath, [BIN, 'sync', 'setup', '-q'], { cwd: syncWs, env });

// Rounds: psql \copy into the emptied reference table, then `sync run` into the emptied target (the first round on a
// fresh target, the next ones with --force after TRUNCATE: the same work, the whole source into an empty table). The
// ratio is the median of the rounds' ratios, so a slow moment of the machine hits both sides of one round.
const ratios = [];
const copies = [];
const syncs = [];
for (let round = 0; round < ROUNDS; round++) {
  if (round > 0) {
    wallMs('psql', [refDb, '-qc', 'TRUNCATE bench']);
    wallMs('psql', [syncDb, '-qc', 'TRUNCATE bench']);
  }
  // Neither side pays for the previous round's dirty pages.
  wallMs('psql', [refDb, '-qc', 'CHECKPOINT']);
  const c = wallMs('psql', [refDb, '-qc', `\\copy bench FROM '${csv}' WITH (FORMAT csv)`]);
  const s = wallMs(process.execPath, [BIN, 'sync', 'run', '-q', ...(round > 0 ? ['--force'] : [])], {
    cwd: syncWs,
    env,
  });
  console.log(
    `round ${round + 1}: psql \\copy ${(c / 1000).toFixed(2)} s, opsctl sync run ${(s / 1000).toFixed(2)} s: ${(c / s).toFixed(2)}x`,
  );
  ratios.push(c / s);
  copies.push(c);
  syncs.push(s);
}
const [copyMs, syncMs] = [median(copies), median(syncs)];
const count = async (url) => {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return Number((await c.query('SELECT count(*) AS n FROM bench')).rows[0].n);
  } finally {
    await c.end();
  }
};
const [refRows, syncRows] = [await count(refDb), await count(syncDb)];
if (refRows !== ROWS || syncRows !== ROWS)
  throw new Error(`row counts differ: copy ${refRows}, sync ${syncRows}, expected ${ROWS}`);
const copyRate = ROWS / (copyMs / 1000);
const syncRate = ROWS / (syncMs / 1000);
console.log(`psql \\copy:      ${(copyMs / 1000).toFixed(2)} s  ${Math.round(copyRate).toLocaleString()} rows/s`);
console.log(
  `opsctl sync run: ${(syncMs / 1000).toFixed(2)} s  ${Math.round(syncRate).toLocaleString()} rows/s (whole process, from the warehouse)`,
);
const ok1 = verdict(`upsert throughput vs raw COPY (median of ${ROUNDS} rounds)`, median(ratios), 0.5, 'higher');

const idle = [];
// A cron run with nothing new does not land right after a million-row load: let the server finish its own work on it
// (autovacuum, dirty buffers) first, or the idle runs measure that instead.
wallMs('psql', [syncDb, '-qc', 'VACUUM ANALYZE bench']);
wallMs('psql', [syncDb, '-qc', 'CHECKPOINT']);
if (process.env.BENCH_DEBUG)
  console.log(
    spawnSync(process.execPath, [BIN, 'sync', 'run', '--json'], { cwd: syncWs, env, encoding: 'utf8' }).stdout,
  );
for (let i = 0; i < 5; i++) idle.push(wallMs(process.execPath, [BIN, 'sync', 'run', '-q'], { cwd: syncWs, env }));
const idleMs = median(idle);
const ok2 = idleMs < 1000;
console.log(
  `run with nothing new (last day re-read, 1,000 rows unchanged): median ${idleMs.toFixed(0)} ms of ${idle.map((t) => t.toFixed(0)).join(', ')} (target < 1000 ms) ${ok2 ? 'OK' : 'MISSED'}`,
);

const rss = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, BIN, 'sync', 'run', '-q'], {
  cwd: rssWs,
  env,
  encoding: 'utf8',
});
if (rss.status !== 0) throw new Error(`rss run failed: ${rss.stderr}`);
const peakMb = Number(rss.stderr.trim().split('\n').at(-1)) / 1024;
const ok3 = peakMb <= 250;
console.log(
  `peak RSS syncing ${RSS_ROWS.toLocaleString()} rows: ${peakMb.toFixed(0)} MB (target ≤ 250 MB) ${ok3 ? 'OK' : 'MISSED'}`,
);

for (const n of names) await admin(`DROP DATABASE IF EXISTS ${quotePg(n)} WITH (FORCE)`);
rmSync(dir, { recursive: true, force: true });
finish(
  'sync',
  'opsctl sync run into PostgreSQL against psql \\copy of the same CSV into the same table; a run with nothing new; peak RSS',
  ok1 && ok2 && ok3,
);
