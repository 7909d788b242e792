// The sync against raw COPY, in the same run, on the same PostgreSQL (TEST_PG_URL or postgres://postgres@127.0.0.1:5432).
// Every figure is `opsctl sync run` as a whole process (read, check, COPY, merge, commit, watermark) from a DuckDB
// warehouse of SYNC_BENCH_ROWS rows × 10 columns (default 1,000,000), against `psql \copy` of the same rows as CSV into
// an empty table of the same DDL (primary key included), measured in the same round:
//   1. empty target (TRUNCATE, then `sync run --force`): target ≥ 0.7× \copy's throughput;
//   2. a target holding every key, 10 % of the rows changed at the source (`--force` re-reads all): ≥ 0.6×;
//   3. an unchanged re-sync with `--force` (every key present, nothing to write): ≥ 0.8×;
//   each the median of BENCH_ROUNDS (3) rounds' ratios, so a slow moment of the machine hits both sides of one round.
//   The JSON output of each run is checked (inserted / updated / unchanged), so a case cannot pass by doing nothing.
//   4. a run with nothing new (the last day re-read, nothing changed) against `opsctl etl history --json` on the same
//      workspace, interleaved, median of 5: target ≤ 1.5×.
//   5. the curve: rows/s of the empty-target and 10 %-changed syncs (and of \copy) at SYNC_BENCH_CURVE rows
//      (default 100,000, 300,000, 1,000,000, 3,000,000; sizes above SYNC_BENCH_ROWS are left out when it is set), and
//      the peak RSS of the largest sync (GNU time; target ≤ 250 MB).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { DuckDBInstance } from '@duckdb/node-api';
import { figure, finish, limit, median, OPSCTL, tempDir, verdict, wallMs } from './lib.mjs';
const { quotePg } = await import(new URL('../dist/src/db/identifiers.js', import.meta.url));

const ROWS_SET = process.env.SYNC_BENCH_ROWS ?? process.env.BENCH_SYNC_ROWS;
const ROWS = Number(ROWS_SET ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CURVE = (process.env.SYNC_BENCH_CURVE ?? '100000,300000,1000000,3000000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0 && (ROWS_SET === undefined || n <= ROWS));
const ADMIN = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const dir = tempDir('sync');
const warehouse = join(dir, 'warehouse.duckdb');
const csvOf = (name) => join(dir, `${name}.csv`);

const dbUrl = (name) => Object.assign(new URL(ADMIN), { pathname: `/${name}` }).toString();
async function sql(url, text) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text)).rows;
  } finally {
    await c.end();
  }
}
const names = ['ref', 'sync'].map((n) => `opsctl_bench_sync_${n}_${process.pid}`);
const dropAll = async () => {
  for (const n of names) await sql(ADMIN, `DROP DATABASE IF EXISTS ${quotePg(n)} WITH (FORCE)`);
};
for (const n of names) await sql(ADMIN, `CREATE DATABASE ${quotePg(n)}`);
const [refDb, syncDb] = names.map(dbUrl);

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
) => `SELECT CAST(i AS BIGINT) AS id, CAST(DATE '2024-01-01' + CAST(i % 1000 AS INTEGER) AS DATE) AS fecha,
  'CTA-' || lpad(CAST(i AS VARCHAR), 9, '0') AS cuenta, CASE i % 3 WHEN 0 THEN 'movil' WHEN 1 THEN 'hogar' ELSE 'empresas' END AS cartera,
  CAST((i % 100000) / 7.0 AS DECIMAL(14,2)) AS monto, CAST((i % 5000) / 3.0 AS DECIMAL(14,2)) AS pagado, CAST(i % 97 AS INTEGER) AS llamadas,
  CAST(i % 13 AS INTEGER) AS contactos, (i % 1000) / 1000.0 AS ratio, TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(i) AS actualizado
  FROM range(0, ${n}) t(i)`;

/** One DuckDB session on the warehouse file (closed before opsctl opens it: DuckDB locks the file). */
async function duck(statements) {
  const instance = await DuckDBInstance.create(warehouse);
  const c = await instance.connect();
  try {
    for (const s of statements) await c.run(s);
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

const curveTables = CURVE.map((n) => `curve_${n}`);
console.log(`preparing ${ROWS.toLocaleString('en-US')} rows and the curve (${CURVE.join(', ')}) in ${dir}`);
await duck([
  'CREATE SCHEMA src',
  `CREATE TABLE src.bench AS ${select(ROWS)}`,
  `COPY src.bench TO '${csvOf('bench')}' (FORMAT csv, HEADER false)`,
  ...CURVE.flatMap((n, i) => [
    `CREATE TABLE src.${curveTables[i]} AS ${select(n)}`,
    `COPY src.${curveTables[i]} TO '${csvOf(curveTables[i])}' (FORMAT csv, HEADER false)`,
  ]),
]);
const table = (name) => ({
  source: { table: `src.${name}` },
  columns: COLUMNS,
  primary_key: ['id'],
  incremental_column: 'fecha',
  lookback_days: 0,
});
const ws = mkdtempSync(join(dir, 'ws-'));
writeFileSync(
  join(ws, 'opsctl.config.json'),
  JSON.stringify({
    home: './home',
    warehouse: { kind: 'duckdb', duckdb: { path: warehouse } },
    targets: { dash: { engine: 'postgres', url: syncDb } },
    pipelines: {
      bench: {
        kind: 'sync',
        target: 'dash',
        tables: Object.fromEntries(['bench', ...curveTables].map((t) => [t, table(t)])),
      },
    },
  }),
);
const env = { PATH: process.env.PATH, HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1' };

const ddl = (t) =>
  `CREATE TABLE ${t} (${Object.entries(COLUMNS)
    .map(([c, ty]) => `${c} ${ty}${c === 'id' ? ' NOT NULL' : ''}`)
    .join(', ')}, PRIMARY KEY (id))`;
for (const t of ['bench', ...curveTables]) await sql(refDb, ddl(t));
wallMs(process.execPath, [OPSCTL, 'sync', 'setup', '-q'], { cwd: ws, env });

/** `\copy` of a table's CSV into its emptied reference table, after a checkpoint (no previous round's dirty pages). */
async function copyRef(t) {
  await sql(refDb, `TRUNCATE ${t}`);
  await sql(refDb, 'CHECKPOINT');
  return wallMs('psql', [refDb, '-qc', `\\copy ${t} FROM '${csvOf(t)}' WITH (FORMAT csv)`]);
}

/** One `sync run --force --json` of one table, timed as a process; its table outcome (counts, path) is returned. */
function syncRun(t, extra = ['--force'], prefix = []) {
  const [cmd, ...args] = [...prefix, process.execPath, OPSCTL, 'sync', 'run', '--json', '--table', t, ...extra];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: ws, env, encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`sync run --table ${t} exited ${r.status}: ${r.stderr}\n${r.stdout}`);
  const doc = JSON.parse(r.stdout);
  const outcome = JSON.stringify(doc).includes('"details"') ? findOutcome(doc, t) : undefined;
  if (!outcome) throw new Error(`sync run --json did not report table ${t}: ${r.stdout.slice(0, 2000)}`);
  return { ms, outcome, stderr: r.stderr };
}
function findOutcome(node, t) {
  if (Array.isArray(node)) return node.map((n) => findOutcome(n, t)).find(Boolean);
  if (node && typeof node === 'object') {
    if (node.table === t && node.details) return node;
    return Object.values(node)
      .map((n) => findOutcome(n, t))
      .find(Boolean);
  }
  return undefined;
}
function expect(label, outcome, want) {
  const d = outcome.details;
  for (const [k, v] of Object.entries(want))
    if (d[k] !== v) throw new Error(`${label}: expected ${k} = ${v}, the run reported ${JSON.stringify(d)}`);
  if (d.path !== 'bulk') throw new Error(`${label}: the run took the ${d.path} path, not the bulk path`);
}
const changeTenPercent = (t, round) => duck([`UPDATE src.${t} SET monto = monto + 1 WHERE id % 10 = ${round % 10}`]);

let ok = false;
let details;
try {
  const cases = { empty: [], changed: [], unchanged: [] };
  const copies = [];
  const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
  for (let round = 0; round < ROUNDS; round++) {
    const c = await copyRef('bench');
    copies.push(c);
    await sql(syncDb, 'TRUNCATE bench');
    await sql(syncDb, 'CHECKPOINT');
    const empty = syncRun('bench');
    expect('empty target', empty.outcome, { inserted: ROWS, updated: 0 });
    await changeTenPercent('bench', round);
    await sql(syncDb, 'CHECKPOINT');
    const changed = syncRun('bench');
    expect('10 % changed', changed.outcome, { inserted: 0, updated: ROWS / 10, unchanged: ROWS - ROWS / 10 });
    await sql(syncDb, 'CHECKPOINT');
    const same = syncRun('bench');
    expect('unchanged --force', same.outcome, { inserted: 0, updated: 0, unchanged: ROWS });
    cases.empty.push(c / empty.ms);
    cases.changed.push(c / changed.ms);
    cases.unchanged.push(c / same.ms);
    console.log(
      `round ${round + 1}: psql \\copy ${seconds(c)}; sync run: empty target ${seconds(empty.ms)} (${(c / empty.ms).toFixed(2)}x), ` +
        `10 % changed ${seconds(changed.ms)} (${(c / changed.ms).toFixed(2)}x), unchanged --force ${seconds(same.ms)} (${(c / same.ms).toFixed(2)}x)`,
    );
  }
  const rows = ROWS.toLocaleString('en-US');
  const ok1 = verdict(`empty target, ${rows} rows, vs psql \\copy`, median(cases.empty), 0.7, 'higher');
  const ok2 = verdict(`every key present, 10 % changed, vs psql \\copy`, median(cases.changed), 0.6, 'higher');
  const ok3 = verdict(`unchanged --force re-sync vs psql \\copy`, median(cases.unchanged), 0.8, 'higher');
  figure(`psql \\copy of ${rows} rows (median)`, median(copies), 'ms');

  // A cron run with nothing new does not land right after a million-row load: let the server finish its own work on it
  // (autovacuum, dirty buffers) first, or the idle runs measure that instead.
  await sql(syncDb, 'VACUUM ANALYZE bench');
  await sql(syncDb, 'CHECKPOINT');
  const idle = [];
  const history = [];
  for (let i = 0; i < 5; i++) {
    idle.push(wallMs(process.execPath, [OPSCTL, 'sync', 'run', '-q', '--table', 'bench'], { cwd: ws, env }));
    history.push(wallMs(process.execPath, [OPSCTL, 'etl', 'history', '--json'], { cwd: ws, env }));
  }
  console.log(
    `run with nothing new: median ${median(idle).toFixed(0)} ms of ${idle.map((t) => t.toFixed(0)).join(', ')}; ` +
      `etl history --json: median ${median(history).toFixed(0)} ms of ${history.map((t) => t.toFixed(0)).join(', ')}`,
  );
  const ok4 = verdict('run with nothing new vs etl history --json', median(idle) / median(history), 1.5);
  figure('run with nothing new (median)', median(idle), 'ms');

  // The curve: one round per size, biggest last; the largest sync's peak RSS through GNU time.
  const curve = [];
  let peakMb = 0;
  for (const [i, n] of CURVE.entries()) {
    const t = curveTables[i];
    const c = await copyRef(t);
    await sql(syncDb, 'CHECKPOINT');
    const last = i === CURVE.length - 1;
    const empty = syncRun(t, ['--force'], last ? ['/usr/bin/time', '-f', '%M'] : []);
    expect(`curve ${n} empty`, empty.outcome, { inserted: n });
    if (last) peakMb = Number(empty.stderr.trim().split('\n').at(-1)) / 1024;
    await changeTenPercent(t, 0);
    await sql(syncDb, 'CHECKPOINT');
    const changed = syncRun(t);
    expect(`curve ${n} changed`, changed.outcome, { inserted: 0, updated: n / 10 });
    const rate = (ms) => Math.round(n / (ms / 1000));
    const point = { rows: n, copyRowsPerS: rate(c), emptyRowsPerS: rate(empty.ms), changedRowsPerS: rate(changed.ms) };
    curve.push(point);
    console.log(
      `curve ${n.toLocaleString('en-US')} rows: \\copy ${point.copyRowsPerS.toLocaleString('en-US')} rows/s, ` +
        `sync into empty ${point.emptyRowsPerS.toLocaleString('en-US')} rows/s (${(c / empty.ms).toFixed(2)}x), ` +
        `10 % changed ${point.changedRowsPerS.toLocaleString('en-US')} rows/s (${(c / changed.ms).toFixed(2)}x)`,
    );
    figure(`sync into an empty table at ${n.toLocaleString('en-US')} rows`, point.emptyRowsPerS, 'rows/s');
  }
  const ok5 = limit(`peak RSS syncing ${CURVE.at(-1)?.toLocaleString('en-US')} rows`, peakMb, 'MB', 250);

  ok = ok1 && ok2 && ok3 && ok4 && ok5;
  details = { rows: ROWS, rounds: ROUNDS, cases, copiesMs: copies, curve };
} finally {
  await dropAll();
}
finish(
  'sync',
  `opsctl sync run into PostgreSQL (empty target, 10 % changed, unchanged --force) against psql \\copy of the same CSV into the same PK table; a run with nothing new against etl history --json; rows/s from ${CURVE[0]?.toLocaleString('en-US')} to ${CURVE.at(-1)?.toLocaleString('en-US')} rows`,
  ok,
  details,
);
