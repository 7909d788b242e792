import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BackupFreshnessResult } from '../commands/backup/freshness.js';
import type { BackupVerifyResult } from '../commands/backup/verify.js';
import { run, type InputFor, type OperationName } from '../commands/catalog.js';
import { createRuntime, type Runtime } from '../commands/runtime.js';
import { insertBackup, listBackups } from '../src/backups/catalog.js';
import { manifestPathOf, type BackupManifest } from '../src/backups/manifest.js';
import { applyRetention, isoWeek } from '../src/backups/retention.js';
import { loadConfig } from '../src/config/load.js';
import { ConfirmationRequired, OperationFailed, UsageError } from '../src/errors.js';
import { silentLogger } from '../src/log/logger.js';
import { Redactor } from '../src/log/redact.js';
import { runCli } from './helpers/cli.js';
import {
  createMysqlDatabase,
  createPgDatabase,
  MYSQL_ADMIN_URL,
  pgQuery,
  type TempDatabase,
} from './helpers/databases.js';
import { tempDir } from './helpers/tmp.js';

const dbs: TempDatabase[] = [];
const runtimes: Runtime[] = [];

test.after(async () => {
  for (const r of runtimes) await r.close().catch(() => undefined);
  for (const db of dbs) await db.drop().catch(() => undefined);
});

async function pgDb(): Promise<TempDatabase> {
  const db = await createPgDatabase('opsctl_backup');
  dbs.push(db);
  return db;
}
async function myDb(): Promise<TempDatabase> {
  const db = await createMysqlDatabase('opsctl_backup');
  dbs.push(db);
  return db;
}

function workspace(config: Record<string, unknown>) {
  const dir = tempDir('opsctl-backup-');
  const file = { home: join(dir, 'home'), ...config };
  writeFileSync(join(dir, 'opsctl.config.json'), JSON.stringify(file, null, 2));
  const loaded = loadConfig({ cwd: dir, env: {}, redactor: new Redactor(), fileConfig: file });
  const runtime = createRuntime({ loaded, log: silentLogger, trigger: 'cli' });
  runtimes.push(runtime);
  const op = <N extends OperationName>(name: N, input: InputFor<N>) => run(name, runtime, input);
  return {
    dir,
    runtime,
    op,
    cli: (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: dir, env }),
  };
}

const PG_FIXTURE = `
  CREATE SCHEMA sales;
  CREATE SCHEMA "odd ""name""";
  CREATE TABLE public.people (id int PRIMARY KEY, name text, photo bytea, born date, score numeric(10,2));
  INSERT INTO public.people VALUES
    (1, 'Zoë Ñúñez — 日本語 🎉', '\\x00ff10deadbeef', '1990-02-03', 12.50),
    (2, NULL, NULL, NULL, NULL),
    (3, E'line\\nbreak ''quote'' \\\\ back', '\\x', '2000-01-01', -1);
  CREATE TABLE sales.orders (id bigserial PRIMARY KEY, person int REFERENCES public.people(id), total numeric, note text);
  INSERT INTO sales.orders (person, total, note) SELECT 1 + (g % 3), g * 1.5, CASE WHEN g % 4 = 0 THEN NULL ELSE 'order ' || g END FROM generate_series(1, 500) g;
  CREATE TABLE "odd ""name"""."Mixed Case" (k text PRIMARY KEY, v jsonb);
  INSERT INTO "odd ""name"""."Mixed Case" VALUES ('a', '{"x": [1, 2, null]}'), ('ü', NULL);
`;

async function pgSnapshot(url: string) {
  return {
    people: await pgQuery(
      url,
      "SELECT id, name, encode(photo, 'hex') AS photo, born::text AS born, score::text AS score FROM public.people ORDER BY id",
    ),
    orders: await pgQuery(url, 'SELECT id::text, person, total::text, note FROM sales.orders ORDER BY id'),
    odd: await pgQuery(url, 'SELECT k, v::text FROM "odd ""name"""."Mixed Case" ORDER BY k'),
  };
}

test('PostgreSQL: create → verify → restore into a fresh database gives identical data (unicode, bytea, NULLs, several schemas)', async () => {
  const source = await pgDb();
  const fresh = await pgDb();
  await pgQuery(source.url, PG_FIXTURE);
  const ws = workspace({
    targets: { app: { engine: 'postgres', url: source.url }, copy: { engine: 'postgres', url: fresh.url } },
  });

  const created = await ws.op('backup.create', { target: 'app' });
  const b = created.backup;
  assert.is(b.engine, 'postgres');
  assert.is(b.format, 'custom');
  assert.is(statSync(b.path).mode & 0o777, 0o600, 'backup file is private');
  assert.is(statSync(b.path).size, b.sizeBytes);
  assert.ok(readFileSync(b.path).subarray(0, 5).toString() === 'PGDMP', 'pg_dump custom format');
  const manifest = JSON.parse(readFileSync(manifestPathOf(b.path), 'utf8')) as BackupManifest;
  assert.equal(manifest.tables, [
    { table: 'odd "name".Mixed Case', rows: 2 },
    { table: 'public.people', rows: 3 },
    { table: 'sales.orders', rows: 500 },
  ]);
  assert.is(manifest.sha256, b.sha256);
  assert.match(manifest.serverVersion, /^PostgreSQL \d+/);
  assert.match(manifest.toolVersion, /pg_dump/);
  assert.is(b.verified, false);

  const verified = await ws.op('backup.verify', { backup: b.id });
  assert.ok(verified.ok, JSON.stringify(verified.steps));
  assert.equal(
    verified.steps.map((s) => [s.step, s.ok]),
    [
      ['checksum', true],
      ['restore', true],
      ['row counts', true],
      ['content', true],
    ],
  );
  assert.is(verified.backup.verified, true);
  assert.ok(verified.backup.verifiedAt);
  const leftovers = await pgQuery<{ datname: string }>(
    source.url,
    'SELECT datname FROM pg_database WHERE datname = $1',
    [verified.scratch],
  );
  assert.is(leftovers.length, 0, 'the scratch database is dropped');

  const restored = await ws.op('backup.restore', { backup: b.id, to: 'copy', confirm: true });
  assert.ok(restored.matchesManifest);
  assert.is(restored.replaced.length, 0);
  assert.is(restored.created.length, 3);
  assert.equal(await pgSnapshot(fresh.url), await pgSnapshot(source.url));

  // Restoring over changed data replaces it and says so.
  await pgQuery(
    fresh.url,
    'DELETE FROM sales.orders WHERE id > 10; CREATE TABLE public.extra (x int); INSERT INTO public.extra VALUES (1)',
  );
  const again = await ws.op('backup.restore', { backup: b.id, to: 'copy', confirm: true });
  const orders = again.replaced.find((t) => t.table === 'sales.orders');
  assert.equal(orders, { table: 'sales.orders', rowsBefore: 10, rowsAfter: 500 });
  assert.equal(again.untouched, [{ table: 'public.extra', rows: 1 }]);
  assert.equal(await pgSnapshot(fresh.url), await pgSnapshot(source.url));
});

test('MariaDB: create → verify → restore into a fresh database gives identical data (unicode, blobs, NULLs, several tables)', async () => {
  const source = await myDb();
  const fresh = await myDb();
  const conn = await mysql.createConnection({ uri: source.url, multipleStatements: true, charset: 'utf8mb4' });
  await conn.query(`
    CREATE TABLE people (id INT PRIMARY KEY, name VARCHAR(200) CHARACTER SET utf8mb4, photo BLOB, born DATE, score DECIMAL(10,2)) DEFAULT CHARSET=utf8mb4;
    INSERT INTO people VALUES (1, 'Zoë Ñúñez — 日本語 🎉', X'00FF10DEADBEEF', '1990-02-03', 12.50), (2, NULL, NULL, NULL, NULL), (3, 'line\\nbreak ''quote'' \\\\ back', X'', '2000-01-01', -1);
    CREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, person INT, total DECIMAL(12,2), note TEXT) DEFAULT CHARSET=utf8mb4;
    CREATE TABLE \`weird name\` (k VARCHAR(10) PRIMARY KEY, v VARBINARY(20));
    INSERT INTO \`weird name\` VALUES ('a', X'0001'), ('ü', NULL);
  `);
  const values = Array.from(
    { length: 300 },
    (_, i) => `(${1 + (i % 3)}, ${i * 1.5}, ${i % 4 === 0 ? 'NULL' : `'order ${i}'`})`,
  ).join(',');
  await conn.query(`INSERT INTO orders (person, total, note) VALUES ${values}`);
  await conn.end();
  const ws = workspace({
    targets: { reco: { engine: 'mysql', url: source.url }, copy: { engine: 'mysql', url: fresh.url } },
  });

  const created = await ws.op('backup.create', { target: 'reco' });
  const b = created.backup;
  assert.is(b.format, 'sql.gz');
  assert.is(statSync(b.path).mode & 0o777, 0o600);
  assert.equal(b.tables, [
    { table: 'orders', rows: 300 },
    { table: 'people', rows: 3 },
    { table: 'weird name', rows: 2 },
  ]);

  const verified = await ws.op('backup.verify', { backup: 'reco' });
  assert.ok(verified.ok, JSON.stringify(verified.steps));
  const admin = await mysql.createConnection(MYSQL_ADMIN_URL);
  const [left] = await admin.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [
    verified.scratch,
  ]);
  await admin.end();
  assert.is((left as unknown[]).length, 0, 'the scratch database is dropped');

  const restored = await ws.op('backup.restore', { backup: b.id, to: 'copy', confirm: true });
  assert.ok(restored.matchesManifest);
  const snap = async (url: string) => {
    const c = await mysql.createConnection({ uri: url, charset: 'utf8mb4', dateStrings: true });
    try {
      return [
        (await c.query('SELECT id, name, HEX(photo) AS photo, born, score FROM people ORDER BY id'))[0],
        (await c.query('SELECT * FROM orders ORDER BY id'))[0],
        (await c.query('SELECT k, HEX(v) AS v FROM `weird name` ORDER BY k'))[0],
      ];
    } finally {
      await c.end();
    }
  };
  const [a, bb] = [await snap(source.url), await snap(fresh.url)];
  assert.equal(bb, a);
  assert.is((a[0] as Array<{ name: string | null }>)[0]!.name, 'Zoë Ñúñez — 日本語 🎉');
});

test('a corrupted file fails verify (exit 1), is marked failed, and is refused by restore', async () => {
  const source = await pgDb();
  await pgQuery(source.url, 'CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 100)');
  const ws = workspace({ targets: { app: { engine: 'postgres', url: source.url } } });
  const { backup } = await ws.op('backup.create', { target: 'app' });
  const bytes = readFileSync(backup.path);
  const middle = Math.floor(bytes.length / 2);
  bytes[middle] = bytes[middle]! ^ 0xff;
  chmodSync(backup.path, 0o600);
  writeFileSync(backup.path, bytes);

  const r = await ws.cli(['backup', 'verify', backup.id, '--json']);
  assert.is(r.code, 1, r.stderr);
  const result = JSON.parse(r.stdout) as BackupVerifyResult;
  assert.is(result.ok, false);
  assert.equal(
    result.steps.map((s) => [s.step, s.ok]),
    [['checksum', false]],
  );
  assert.is(result.backup.verifyStatus, 'failed');
  assert.is(result.backup.verified, false);
  const [entry] = await listBackups(await ws.runtime.state(), { target: 'app' });
  assert.is(entry!.verifyStatus, 'failed');
  try {
    await ws.op('backup.restore', { backup: backup.id, confirm: true });
    assert.unreachable('restore of a corrupted file must fail');
  } catch (error) {
    assert.instance(error, OperationFailed);
    assert.match((error as Error).message, /does not match its checksum/);
  }
});

test('a dump tool that fails leaves no file and no catalog entry, and the error carries its stderr', async () => {
  const source = await pgDb();
  const dir = tempDir('opsctl-fake-tool-');
  const fake = join(dir, 'pg_dump');
  writeFileSync(
    fake,
    '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "pg_dump (PostgreSQL) 15.0"; exit 0; fi\nhead -c 100000 /dev/zero\necho "pg_dump: error: permission denied for table secrets" >&2\nexit 1\n',
    { mode: 0o755 },
  );
  const ws = workspace({
    targets: { app: { engine: 'postgres', url: source.url } },
    backups: { tools: { pgDump: fake } },
  });
  try {
    await ws.op('backup.create', { target: 'app' });
    assert.unreachable('create must fail');
  } catch (error) {
    assert.instance(error, OperationFailed);
    assert.match((error as Error).message, /permission denied for table secrets/);
    assert.match((error as Error).message, /exit 1/);
  }
  assert.equal(await listBackups(await ws.runtime.state()), []);
  const folder = join(ws.runtime.config.backups.dir, 'app');
  assert.equal(existsSync(folder) ? readdirSync(folder) : [], [], 'no partial file is left');
  const runs = await (
    await ws.runtime.state()
  ).query<{ status: string; error: string }>("SELECT status, error FROM runs WHERE operation = 'backup.create'");
  assert.is(runs[0]!.status, 'failed', 'the failed backup is a failed run (the bot alerts on it)');
});

test('restore without confirmation is refused and changes nothing; production asks for the name; other engines are refused', async () => {
  const source = await pgDb();
  const other = await pgDb();
  const my = await myDb();
  await pgQuery(source.url, 'CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2)');
  await pgQuery(other.url, 'CREATE TABLE t (id int); INSERT INTO t VALUES (9)');
  const ws = workspace({
    targets: {
      app: { engine: 'postgres', url: source.url },
      prod: { engine: 'postgres', url: other.url, production: true },
      reco: { engine: 'mysql', url: my.url },
    },
  });
  const { backup } = await ws.op('backup.create', { target: 'app' });
  for (const [to, typed] of [
    ['app', undefined],
    ['prod', 'prod'],
  ] as const) {
    try {
      await ws.op('backup.restore', { backup: backup.id, to });
      assert.unreachable('restore without confirm must be refused');
    } catch (error) {
      assert.instance(error, ConfirmationRequired);
      assert.is((error as ConfirmationRequired).typed, typed);
    }
  }
  assert.equal(await pgQuery(other.url, 'SELECT id FROM t'), [{ id: 9 }], 'nothing changed');
  try {
    await ws.op('backup.restore', { backup: backup.id, to: 'reco', confirm: true });
    assert.unreachable('cross-engine restore must be refused');
  } catch (error) {
    assert.instance(error, UsageError);
    assert.match((error as Error).message, /refusing to restore across engines/);
  }
  const cli = await ws.cli(['backup', 'restore', backup.id, '--to', 'prod']);
  assert.is(cli.code, 2, 'no TTY and no --yes: refused with a usage exit code');
  assert.match(cli.stderr, /confirmation required/);
  assert.equal(await pgQuery(other.url, 'SELECT id FROM t'), [{ id: 9 }]);
});

function fakeManifest(target: string, id: string, finishedAt: string, path: string): BackupManifest {
  return {
    manifestVersion: 1,
    id,
    target,
    engine: 'postgres',
    serverVersion: 'PostgreSQL 15',
    tool: 'pg_dump',
    toolVersion: 'pg_dump 15',
    format: 'custom',
    file: path.split('/').pop()!,
    sizeBytes: 10,
    sha256: 'a'.repeat(64),
    startedAt: finishedAt,
    finishedAt,
    tables: [],
  };
}

test('retention: keep-last, keep-daily and keep-weekly keep exactly their union, and the newest verified backup always stays', () => {
  const at = (d: string) => `${d}T03:00:00.000Z`;
  const backups = [
    { id: 'a-1', target: 'a', finishedAt: at('2026-11-30'), verified: false },
    { id: 'a-2', target: 'a', finishedAt: '2026-11-30T01:00:00.000Z', verified: false },
    { id: 'a-3', target: 'a', finishedAt: at('2026-11-29'), verified: false },
    { id: 'a-4', target: 'a', finishedAt: at('2026-11-25'), verified: false },
    { id: 'a-5', target: 'a', finishedAt: at('2026-11-18'), verified: false },
    { id: 'a-6', target: 'a', finishedAt: at('2026-11-10'), verified: true },
    { id: 'a-7', target: 'a', finishedAt: at('2026-11-01'), verified: false },
    { id: 'b-1', target: 'b', finishedAt: at('2026-11-01'), verified: false },
  ];
  const kept = (p: { keepLast: number; keepDaily: number; keepWeekly: number }) =>
    applyRetention(backups, p)
      .filter((d) => d.keep)
      .map((d) => d.backup.id)
      .sort();
  assert.equal(kept({ keepLast: 1, keepDaily: 0, keepWeekly: 0 }), ['a-1', 'a-6', 'b-1']);
  assert.equal(
    kept({ keepLast: 0, keepDaily: 2, keepWeekly: 0 }),
    ['a-1', 'a-3', 'a-6', 'b-1'],
    'a-2 is the same day as a-1',
  );
  assert.equal(
    kept({ keepLast: 0, keepDaily: 0, keepWeekly: 3 }),
    ['a-1', 'a-3', 'a-5', 'a-6', 'b-1'],
    'newest of weeks 49 (a-1, Monday 30th), 48 (a-3, Sunday 29th), 47 (a-5)',
  );
  assert.equal(kept({ keepLast: 2, keepDaily: 0, keepWeekly: 2 }), ['a-1', 'a-2', 'a-3', 'a-6', 'b-1']);
  assert.equal(
    kept({ keepLast: 0, keepDaily: 0, keepWeekly: 0 }),
    ['a-6'],
    'a target without a verified backup keeps nothing under an empty policy',
  );
  assert.is(isoWeek('2026-11-30T00:00:00Z'), '2026-W49');
  assert.is(isoWeek('2026-11-29T00:00:00Z'), '2026-W48');
  assert.is(isoWeek('2027-01-01T00:00:00Z'), '2026-W53');
});

test('prune shows what it would delete, refuses without confirmation, then deletes files, manifests and catalog rows', async () => {
  const ws = workspace({ targets: {}, backups: { retention: { keepLast: 2, keepDaily: 0, keepWeekly: 0 } } });
  const store = await ws.runtime.state();
  const dir = join(ws.runtime.config.backups.dir, 'app');
  (await import('node:fs')).mkdirSync(dir, { recursive: true });
  const ids: string[] = [];
  for (let i = 1; i <= 5; i++) {
    const id = `app-2026110${i}T000000000Z`;
    const path = join(dir, `${id}.dump`);
    writeFileSync(path, 'x'.repeat(10));
    writeFileSync(manifestPathOf(path), '{}');
    await insertBackup(store, fakeManifest('app', id, `2026-11-0${i}T00:00:00.000Z`, path), path);
    ids.push(id);
  }
  const dry = await ws.op('backup.prune', { dryRun: true });
  assert.equal(
    dry.items.filter((i) => !i.keep).map((i) => i.backup.id),
    [ids[2], ids[1], ids[0]],
  );
  assert.equal(dry.deleted, []);
  assert.is(dry.freedBytes, 30);
  try {
    await ws.op('backup.prune', {});
    assert.unreachable('prune without confirm must be refused');
  } catch (error) {
    assert.instance(error, ConfirmationRequired);
  }
  assert.is((await listBackups(store)).length, 5, 'nothing deleted without confirmation');
  const done = await ws.op('backup.prune', { confirm: true });
  assert.equal(done.deleted.sort(), ids.slice(0, 3).sort());
  assert.equal(
    (await listBackups(store)).map((b) => b.id),
    [ids[4], ids[3]],
  );
  assert.equal(readdirSync(dir).sort(), [
    `${ids[3]}.dump`,
    `${ids[3]}.dump.manifest.json`,
    `${ids[4]}.dump`,
    `${ids[4]}.dump.manifest.json`,
  ]);
});

test('freshness: the newest verified backup decides; older than backups.maxAgeHours or none is stale (exit 1)', async () => {
  const ws = workspace({
    targets: {
      app: { engine: 'postgres', url: 'postgres://x@127.0.0.1:1/x' },
      reco: { engine: 'mysql', url: 'mysql://x@127.0.0.1:1/x' },
    },
  });
  const store = await ws.runtime.state();
  const path = join(ws.dir, 'f.dump');
  await insertBackup(store, fakeManifest('app', 'app-old', '2026-11-30T00:00:00.000Z', path), path);
  await insertBackup(store, fakeManifest('app', 'app-new', '2026-11-30T20:00:00.000Z', path), path);
  await store.run(
    "UPDATE backups SET verify_status = 'passed', verified_at = '2026-11-30T21:00:00.000Z' WHERE id = 'app-old'",
  );
  const at = (asOf: string) => ws.op('backup.freshness', { asOf });
  const early = await at('2026-11-30T10:00:00.000Z');
  const app = early.targets.find((t) => t.target === 'app')!;
  assert.equal(
    [app.newestVerifiedId, app.ageHours, app.stale, app.newestAt],
    ['app-old', 10, false, '2026-11-30T20:00:00.000Z'],
  );
  const reco = early.targets.find((t) => t.target === 'reco')!;
  assert.equal([reco.stale, reco.ageSeconds, reco.reason], [true, null, 'no backup in the catalog']);
  assert.is(early.ok, false);
  const late = await at('2026-12-01T01:00:00.000Z');
  assert.is(
    late.targets.find((t) => t.target === 'app')!.stale,
    true,
    '25 h > 24 h: the unverified newer backup does not count',
  );
  const cli = await ws.cli(['backup', 'freshness', 'app', '--json']);
  assert.is(cli.code, 1);
  assert.is((JSON.parse(cli.stdout) as BackupFreshnessResult).targets[0]!.newestVerifiedId, 'app-old');
});

test.run();
