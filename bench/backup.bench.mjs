// `opsctl backup create` of a PostgreSQL database of at least 200 MB (BENCH_BACKUP_MB) against bare `pg_dump -Fc` of the
// same database, in the same run, interleaved (BENCH_RUNS, default 3): medians and the ratio, target ≤ 1.1×. opsctl's
// run is the whole CLI process: start, config, state store, the exported snapshot, row counts and content checksums of
// every table, the streamed dump with its sha256, the manifest and the catalog row. The cost of the content checksums
// (issue 21 item 8) is the same command with backups.contentChecksums false, interleaved too: with / without, target
// ≤ 1.25×. Peak RSS (GNU time) of opsctl is measured at half the size and at full size: it must stay flat (the dump
// streams; it is never held in memory).
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { figure, finish, median, verdict } from './lib.mjs';
const { quotePg } = await import(new URL('../dist/src/db/identifiers.js', import.meta.url));
const { countTables } = await import(new URL('../dist/src/backups/tables.js', import.meta.url));
const { checksumTables } = await import(new URL('../dist/src/backups/content.js', import.meta.url));

const ADMIN = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const MB = Number(process.env.BENCH_BACKUP_MB ?? 200);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BIN = fileURLToPath(new URL('../bin/opsctl', import.meta.url));
const name = `opsctl_bench_backup_${process.pid}`;
const url = (() => {
  const u = new URL(ADMIN);
  u.pathname = `/${name}`;
  return u.toString();
})();
const dir = mkdtempSync(join(tmpdir(), 'opsctl-bench-backup-'));
writeFileSync(
  join(dir, 'opsctl.config.json'),
  JSON.stringify({ home: './home', targets: { bench: { engine: 'postgres', url } } }),
);
// The same target with row counts only, in a workspace of its own (its own catalog and backups).
const countsOnlyDir = join(dir, 'counts-only');
mkdirSync(countsOnlyDir);
writeFileSync(
  join(countsOnlyDir, 'opsctl.config.json'),
  JSON.stringify({
    home: './home',
    backups: { contentChecksums: false },
    targets: { bench: { engine: 'postgres', url } },
  }),
);

const admin = new pg.Client({ connectionString: ADMIN });
await admin.connect();
await admin.query(`CREATE DATABASE ${quotePg(name)}`);
const db = new pg.Client({ connectionString: url });
await db.connect();

// About 150 bytes a row on disk: 1.4 M rows ≈ 200 MB. Text that compresses about as well as real rows do.
const ROWS_PER_MB = 7000;
async function fill(fromMb, toMb) {
  const from = fromMb * ROWS_PER_MB;
  const to = toMb * ROWS_PER_MB;
  await db.query(`
    INSERT INTO events (id, account, kind, body, amount, created_at)
    SELECT g, 'acct-' || (g % 5000), (ARRAY['open','close','pay','refund'])[1 + g % 4], md5(g::text) || md5((g * 31)::text) || md5((g * 7)::text),
           (g % 100000) / 100.0, timestamptz '2026-01-01' + g * interval '1 second'
    FROM generate_series(${from + 1}, ${to}) g`);
  await db.query('VACUUM ANALYZE events');
  return Number((await db.query('SELECT pg_database_size(current_database()) AS s')).rows[0].s);
}

function timed(cmd, args, options = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...options });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, stderr: String(r.stderr) };
}

/** opsctl backup create under GNU time: wall ms and peak RSS in MiB. `cwd`: which workspace (checksums or not). */
function opsctl(cwd = dir) {
  const rssFile = join(dir, 'rss.txt');
  const { ms } = timed(
    '/usr/bin/time',
    ['-f', '%M', '-o', rssFile, process.execPath, BIN, 'backup', 'create', 'bench', '--json'],
    { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'ERROR' } },
  );
  return { ms, rssMiB: Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024 };
}

/** What cron runs today: `pg_dump -Fc db > file` (stdout into the file, as opsctl streams it). */
function bare() {
  const fd = openSync(join(dir, 'bare.dump'), 'w', 0o600);
  try {
    return timed('pg_dump', ['-Fc', `--dbname=${url}`], { stdio: ['ignore', fd, 'pipe'] }).ms;
  } finally {
    closeSync(fd);
  }
}

let ok = false;
try {
  await db.query(
    'CREATE TABLE events (id bigint PRIMARY KEY, account text NOT NULL, kind text NOT NULL, body text, amount numeric(12,2), created_at timestamptz NOT NULL)',
  );
  const halfBytes = await fill(0, Math.ceil(MB / 2));
  const small = opsctl();
  const bytes = await fill(Math.ceil(MB / 2), MB);
  console.log(
    `database ${(bytes / 1024 ** 2).toFixed(0)} MiB (half size ${(halfBytes / 1024 ** 2).toFixed(0)} MiB), ${RUNS} interleaved runs`,
  );
  opsctl(); // warm the page cache the same way for all three
  bare();
  opsctl(countsOnlyDir);
  const ours = [];
  const theirs = [];
  const countsOnly = [];
  const rss = [];
  for (let i = 0; i < RUNS; i++) {
    theirs.push(bare());
    const r = opsctl();
    ours.push(r.ms);
    rss.push(r.rssMiB);
    countsOnly.push(opsctl(countsOnlyDir).ms);
  }
  const a = median(ours);
  const b = median(theirs);
  console.log(
    `opsctl backup create: median ${(a / 1000).toFixed(2)} s; bare pg_dump -Fc: median ${(b / 1000).toFixed(2)} s`,
  );
  const timeOk = verdict('backup create / bare pg_dump -Fc', a / b, 1.1);
  const c = median(countsOnly);
  console.log(
    `opsctl backup create, row counts only (backups.contentChecksums false): median ${(c / 1000).toFixed(2)} s`,
  );
  const contentOk = verdict('backup create with content checksums / counts only', a / c, 1.25);
  // Beside pg_dump the checksums hide in its wall time; alone, what they add to the database's work is this: the
  // counts, then counts + checksums, each in a read-only snapshot as the backup takes them, interleaved.
  const q = { query: async (sql, params) => (await db.query(sql, params)).rows };
  const inSnapshot = async (fn) => {
    await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const t0 = process.hrtime.bigint();
    await fn();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    await db.query('COMMIT');
    return ms;
  };
  const counted = [];
  const summed = [];
  for (let i = 0; i < RUNS; i++) {
    counted.push(await inSnapshot(() => countTables(q, 'postgres')));
    summed.push(
      await inSnapshot(async () => {
        await countTables(q, 'postgres');
        await checksumTables(q, 'postgres');
      }),
    );
  }
  console.log(
    `reads alone: row counts ${(median(counted) / 1000).toFixed(2)} s, counts + content checksums ${(median(summed) / 1000).toFixed(2)} s`,
  );
  figure('database reads: counts + checksums / counts alone', median(summed) / median(counted), 'x');
  const big = Math.max(...rss);
  console.log(
    `peak RSS of opsctl: ${small.rssMiB.toFixed(0)} MiB at ${(halfBytes / 1024 ** 2).toFixed(0)} MiB, ${big.toFixed(0)} MiB at ${(bytes / 1024 ** 2).toFixed(0)} MiB`,
  );
  const rssOk = verdict('peak RSS full size / half size', big / small.rssMiB, 1.2);
  ok = timeOk && contentOk && rssOk;
} finally {
  await db.end();
  await admin.query(`DROP DATABASE IF EXISTS ${quotePg(name)} WITH (FORCE)`);
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
}
finish(
  'backup',
  'backup create (pg_dump -Fc through sha256 + manifest with row counts and content checksums) against bare pg_dump -Fc and against itself with counts only, on the same database; peak RSS at half and full size',
  ok,
);
