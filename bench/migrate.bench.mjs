// `migrate status` on a real PostgreSQL target with 50 and then 500 applied migrations, against a bare
// `SELECT count(*)` round trip on the same server and the same open pool, interleaved, median of each.
// status = one connection checkout, one catalog lookup, one SELECT of the whole history, and reading + hashing every
// file. The database part must not grow per migration (no query per migration): the history read stays within 3× of
// the bare round trip at 50 and at 500. Reading and hashing the files is linear in their number (as in Flyway and
// dbmate); its cost per file is printed, not judged.
// Server: TEST_PG_URL or postgres://postgres@127.0.0.1:5432/test (a scratch database is created and dropped).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { finish, median, verdict } from './lib.mjs';
const { quotePg } = await import(new URL('../dist/src/db/identifiers.js', import.meta.url));

const dist = new URL('../dist/', import.meta.url);
const { openTarget } = await import(new URL('src/db/target.js', dist));
const { readStatus, baselineTarget } = await import(new URL('src/migrations/runner.js', dist));
const { openSession } = await import(new URL('src/migrations/session.js', dist));
const { readHistory } = await import(new URL('src/migrations/history.js', dist));

const RUNS = Number(process.env.BENCH_RUNS ?? 41);
const ADMIN = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const dbName = `opsctl_bench_migrate_${process.pid}`;
const admin = new pg.Client({ connectionString: ADMIN });
await admin.connect();
await admin.query(`CREATE DATABASE ${quotePg(dbName)}`);
const url = new URL(ADMIN);
url.pathname = `/${dbName}`;

const time = async (fn) => {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
};

const results = {};
let ok = true;
try {
  const target = await openTarget('bench', {
    engine: 'postgres',
    url: url.toString(),
    pool: { max: 2, idleTimeoutMs: 10_000, connectTimeoutMs: 5_000 },
    production: false,
  });
  const base = mkdtempSync(join(tmpdir(), 'opsctl-bench-migrate-'));
  try {
    for (const n of [50, 500]) {
      await target.exec('DROP TABLE IF EXISTS opsctl_schema_migrations');
      const dir = join(base, String(n));
      mkdirSync(dir, { recursive: true });
      for (let i = 1; i <= n; i++) {
        const v = String(i).padStart(4, '0');
        writeFileSync(
          join(dir, `${v}_step_${i}.sql`),
          `-- migrate:up\nCREATE TABLE t_${i} (id bigint PRIMARY KEY, note text);\nCREATE INDEX ix_t_${i} ON t_${i} (note);\n-- migrate:down\nDROP TABLE t_${i};\n`,
        );
      }
      await baselineTarget(target, { dir, lockTimeoutMs: 5_000, version: String(n).padStart(4, '0') });
      const options = { dir, production: false };
      const check = (await readStatus(target, options)).status;
      if (check.applied.length !== n || check.pending.length !== 0)
        throw new Error(`expected ${n} applied, got ${check.applied.length}`);
      const ref = () => target.query('SELECT count(*) FROM opsctl_schema_migrations');
      const history = async () => {
        const s = await openSession(target);
        try {
          await readHistory(s);
        } finally {
          await s.release();
        }
      };
      const status = () => readStatus(target, options);
      for (let i = 0; i < 3; i++) await Promise.all([ref(), history(), status()].map((p) => p));
      const r = [];
      const h = [];
      const s = [];
      for (let i = 0; i < RUNS; i++) {
        r.push(await time(ref));
        h.push(await time(history));
        s.push(await time(status));
      }
      results[n] = { ref: median(r), history: median(h), status: median(s) };
      console.log(
        `${String(n).padStart(3)} migrations: SELECT count(*) ${results[n].ref.toFixed(2)} ms · history read ${results[n].history.toFixed(2)} ms (${(results[n].history / results[n].ref).toFixed(2)}x) · ` +
          `migrate status ${results[n].status.toFixed(2)} ms (${(results[n].status / results[n].ref).toFixed(2)}x, files included)`,
      );
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
    await target.close();
  }
  ok = verdict('history read / SELECT count(*) at 50', results[50].history / results[50].ref, 3) && ok;
  ok = verdict('history read / SELECT count(*) at 500', results[500].history / results[500].ref, 3) && ok;
  console.log(
    `files: ${(((results[500].status - results[500].history - (results[50].status - results[50].history)) / 450) * 1000).toFixed(0)} µs per extra migration file (read, sha256, parse)`,
  );
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${quotePg(dbName)} WITH (FORCE)`);
  await admin.end();
}
finish(
  'migrate',
  'the history read of migrate status against a bare SELECT count(*) on the same pool, at 50 and 500 migrations',
  ok,
);
