// Issue 21 item 8: verify proves content, not only row counts. Real MariaDB and PostgreSQL, real dump and restore tools.
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BackupVerifyResult } from '../commands/backup/verify.js';
import { run, type InputFor, type OperationName } from '../commands/catalog.js';
import { createRuntime, type Runtime } from '../commands/runtime.js';
import { manifestPathOf, type BackupManifest } from '../src/backups/manifest.js';
import { sha256File } from '../src/backups/tools.js';
import { loadConfig } from '../src/config/load.js';
import { silentLogger } from '../src/log/logger.js';
import { Redactor } from '../src/log/redact.js';
import { runCli } from './helpers/cli.js';
import { createMysqlDatabase, createPgDatabase, pgQuery, type TempDatabase } from './helpers/databases.js';
import { tempDir } from './helpers/tmp.js';

const dbs: TempDatabase[] = [];
const runtimes: Runtime[] = [];

test.after(async () => {
  for (const r of runtimes) await r.close().catch(() => undefined);
  for (const db of dbs) await db.drop().catch(() => undefined);
});

function workspace(targets: Record<string, unknown>, backups: Record<string, unknown> = {}) {
  const dir = tempDir('opsctl-backup-content-');
  const file = { home: join(dir, 'home'), targets, backups };
  writeFileSync(join(dir, 'opsctl.config.json'), JSON.stringify(file, null, 2));
  const loaded = loadConfig({ cwd: dir, env: {}, redactor: new Redactor(), fileConfig: file });
  const runtime = createRuntime({ loaded, log: silentLogger, trigger: 'cli' });
  runtimes.push(runtime);
  const op = <N extends OperationName>(name: N, input: InputFor<N>) => run(name, runtime, input);
  return { dir, runtime, op, cli: (args: string[]) => runCli(args, { cwd: dir }) };
}

const readManifestFile = (path: string) => JSON.parse(readFileSync(manifestPathOf(path), 'utf8')) as BackupManifest;

test('MariaDB: an ENUM label with a 4-byte character that mariadb-dump turns into "?" fails verify, naming the table', async () => {
  const source = await createMysqlDatabase('opsctl_content');
  dbs.push(source);
  const conn = await mysql.createConnection({ uri: source.url, multipleStatements: true, charset: 'utf8mb4' });
  await conn.query(`
    CREATE TABLE moods (id INT PRIMARY KEY, mood ENUM('calm', 'b 😀') CHARACTER SET utf8mb4 NOT NULL) DEFAULT CHARSET=utf8mb4;
    INSERT INTO moods VALUES (1, 'calm'), (2, 'b 😀');
    CREATE TABLE plain (id INT PRIMARY KEY, note VARCHAR(40) CHARACTER SET utf8mb4, f FLOAT, d DOUBLE, at TIMESTAMP NULL, flags BIT(3), raw VARBINARY(8)) DEFAULT CHARSET=utf8mb4;
    INSERT INTO plain VALUES (1, 'Zoë 🎉, "quoted"', 0.1, 1e300, '2026-01-02 03:04:05', b'101', X'00FF'), (2, NULL, NULL, NULL, NULL, NULL, NULL);
    CREATE TABLE nokey (v VARCHAR(10));
    INSERT INTO nokey VALUES ('dup'), ('dup'), (NULL);
  `);
  await conn.end();
  const ws = workspace({ reco: { engine: 'mysql', url: source.url } });

  const { backup } = await ws.op('backup.create', { target: 'reco' });
  const manifest = readManifestFile(backup.path);
  assert.is(manifest.content?.method, 'mysql-row-md5-sum/1');
  assert.equal(Object.keys(manifest.content!.tables), ['moods', 'nokey', 'plain']);

  const r = await ws.cli(['backup', 'verify', backup.id, '--json']);
  assert.is(r.code, 1, r.stdout + r.stderr);
  const result = JSON.parse(r.stdout) as BackupVerifyResult;
  assert.is(result.ok, false);
  // The counts alone (what verify proved before) still agree: the ENUM value restored as '' in the same row.
  assert.equal(
    result.steps.map((s) => [s.step, s.ok]),
    [
      ['checksum', true],
      ['restore', true],
      ['row counts', true],
      ['content', false],
    ],
  );
  assert.equal(result.contentMismatches, ['moods']);
  assert.match(result.steps[3]!.detail, /content of 1 table\(s\) differs from the manifest: moods/);
  assert.is(result.backup.verifyStatus, 'failed');
  assert.match(result.backup.verifyError ?? '', /moods/);

  const text = await ws.cli(['backup', 'verify', backup.id]);
  assert.is(text.code, 1);
  assert.match(text.stdout, /FAIL\s+content\s+content of 1 table\(s\) differs from the manifest: moods/);
});

test('PostgreSQL: tricky types under other session settings verify; a file holding other values (same counts) fails naming the table', async () => {
  const source = await createPgDatabase('opsctl_content');
  dbs.push(source);
  // Settings a scratch database does not inherit (pg_dump does not carry ALTER DATABASE … SET without --create): the
  // checksum pins its own, so timestamps, floats and dates read the same on both sides.
  await pgQuery(
    source.url,
    `ALTER DATABASE "${source.name}" SET TimeZone = 'Asia/Tokyo';
     ALTER DATABASE "${source.name}" SET DateStyle = 'SQL, DMY';
     ALTER DATABASE "${source.name}" SET extra_float_digits = -3;
     ALTER DATABASE "${source.name}" SET IntervalStyle = 'sql_standard'`,
  );
  await pgQuery(
    source.url,
    `CREATE TYPE mood AS ENUM ('calm', 'b 😀');
     CREATE TABLE people (id int PRIMARY KEY, name text COLLATE "C", m mood, at timestamptz, day date, span interval,
       ratio double precision, small real, cash money, photo bytea, tags text[], doc jsonb);
     INSERT INTO people VALUES
       (1, 'Zoë 🎉', 'b 😀', '2026-01-02 03:04:05.123456+02', '2026-02-03', '1 day 02:03:04', 0.1, 0.1, 12.34, '\\x00ff', '{a,"b c"}', '{"k": [1, null]}'),
       (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
     CREATE TABLE nokey (v text);
     INSERT INTO nokey VALUES ('dup'), ('dup'), (NULL);
     CREATE TABLE parted (id int, k text) PARTITION BY RANGE (id);
     CREATE TABLE parted_low PARTITION OF parted FOR VALUES FROM (0) TO (100);
     INSERT INTO parted VALUES (1, 'one'), (2, 'two');`,
  );
  const ws = workspace({ app: { engine: 'postgres', url: source.url } });

  const { backup } = await ws.op('backup.create', { target: 'app' });
  const manifest = readManifestFile(backup.path);
  assert.is(manifest.content?.method, 'pg-row-md5-sum/1');
  assert.equal(Object.keys(manifest.content!.tables), [
    'public.nokey',
    'public.parted',
    'public.parted_low',
    'public.people',
  ]);

  const good = await ws.op('backup.verify', { backup: backup.id });
  assert.ok(good.ok, JSON.stringify(good.steps));
  assert.is(good.contentChecked, true);
  assert.equal(good.contentMismatches, []);
  assert.match(good.steps[3]!.detail, /4 tables, content checksums equal to the manifest/);

  // The file now holds a dump whose rows differ in one value (same counts), with its sha256 recorded as if it had
  // been written so: what a dump read outside the counted snapshot would look like. Counts pass; content fails.
  await pgQuery(source.url, "UPDATE people SET name = 'Zoe' WHERE id = 1");
  chmodSync(backup.path, 0o600);
  writeFileSync(backup.path, execFileSync('pg_dump', ['-Fc', `--dbname=${source.url}`], { maxBuffer: 1 << 26 }));
  const { sha256, bytes } = await sha256File(backup.path);
  writeFileSync(manifestPathOf(backup.path), JSON.stringify({ ...manifest, sha256, sizeBytes: bytes }));
  await (
    await ws.runtime.state()
  ).run('UPDATE backups SET sha256 = ?, size_bytes = ? WHERE id = ?', [sha256, bytes, backup.id]);
  const bad = await ws.op('backup.verify', { backup: backup.id });
  assert.is(bad.ok, false);
  assert.equal(
    bad.steps.map((s) => [s.step, s.ok]),
    [
      ['checksum', true],
      ['restore', true],
      ['row counts', true],
      ['content', false],
    ],
  );
  assert.equal(bad.contentMismatches, ['public.people']);
});

test('a manifest without content checksums (older opsctl, or contentChecksums false) still verifies by counts, and says so', async () => {
  const source = await createPgDatabase('opsctl_content');
  dbs.push(source);
  await pgQuery(source.url, 'CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, $$a$$)');
  const ws = workspace({ app: { engine: 'postgres', url: source.url } });
  const { backup } = await ws.op('backup.create', { target: 'app' });
  const { content, ...old } = readManifestFile(backup.path);
  assert.ok(content);
  writeFileSync(manifestPathOf(backup.path), JSON.stringify(old));

  const r = await ws.op('backup.verify', { backup: backup.id });
  assert.ok(r.ok, JSON.stringify(r.steps));
  assert.is(r.contentChecked, false);

  const off = workspace({ app: { engine: 'postgres', url: source.url } }, { contentChecksums: false });
  const { backup: countsOnly } = await off.op('backup.create', { target: 'app' });
  assert.is(readManifestFile(countsOnly.path).content, undefined, 'backups.contentChecksums false: counts only');
  assert.equal(r.steps.at(-1), {
    step: 'content',
    ok: true,
    detail:
      'not checked: this manifest has no content checksums (written by an older opsctl or with backups.contentChecksums false); proved by row counts only',
  });
});

test.run();
