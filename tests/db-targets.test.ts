import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { TargetConfig } from '../src/config/schema.js';
import { targetHealthCheck } from '../src/health/checks/targets.js';
import { loadConfig } from '../src/config/load.js';
import { Redactor } from '../src/log/redact.js';
import { checkHealth, invalidateHealth, runCheck } from '../src/health/registry.js';
import type { HealthEnv } from '../src/health/types.js';
import { openTarget } from '../src/db/target.js';
import { ConnectionError } from '../src/errors.js';
import { ROOT } from './helpers/cli.js';
import { createMysqlDatabase, createPgDatabase } from './helpers/databases.js';
import { tempDir } from './helpers/tmp.js';

const pool = { max: 2, idleTimeoutMs: 1000, connectTimeoutMs: 3000 };

test('PostgreSQL target: query with $n parameters, server version', async () => {
  const db = await createPgDatabase();
  try {
    const t = await openTarget('app', { engine: 'postgres', url: db.url, pool, production: false });
    const rows = await t.query<{ n: number; at: string }>('SELECT $1::int8 + 1 AS n, now() AS at', [41]);
    assert.is(rows[0]!.n, 42);
    assert.match(rows[0]!.at, /^\d{4}-\d\d-\d\dT.*Z$/, 'instants come back as ISO strings');
    assert.match(await t.serverVersion(), /^PostgreSQL \d+/);
    await t.close();
  } finally {
    await db.drop();
  }
});

test('MariaDB target: query with ? parameters, server version says MariaDB', async () => {
  const db = await createMysqlDatabase();
  try {
    const t = await openTarget('reco', { engine: 'mysql', url: db.url, pool, production: false });
    const rows = await t.query<{ n: number }>('SELECT ? + 1 AS n', [41]);
    assert.is(Number(rows[0]!.n), 42);
    assert.match(await t.serverVersion(), /^(MariaDB|MySQL) \d+\.\d+/);
    await t.close();
  } finally {
    await db.drop();
  }
});

test('an unreachable server is a ConnectionError that names the target and hides the password', async () => {
  try {
    await openTarget('app', {
      engine: 'postgres',
      url: 'postgres://u:topsecretpw@127.0.0.1:1/x',
      pool,
      production: false,
    });
    assert.unreachable();
  } catch (error) {
    assert.instance(error, ConnectionError);
    assert.match(
      (error as Error).message,
      /target "app" \(postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x\) is unreachable: connection refused/,
    );
    assert.not.match((error as Error).message, /topsecretpw/);
  }
  const health = await probeTarget(
    'reco',
    { engine: 'mysql', url: 'mysql://root@127.0.0.1:1/x', pool, production: false },
    { timeoutMs: 2000 },
  );
  assert.is(health.id, 'target:reco');
  assert.is(health.status, 'down');
  assert.match(health.error!, /connection refused/);
});

test('PGlite: one process at a time; a second opener waits, then names the holder', async () => {
  const path = join(tempDir(), 'pg');
  const cfg = { engine: 'pglite' as const, path, production: false };
  assert.is((await probeTarget('local', cfg)).status, 'absent');
  const t = await openTarget('local', cfg);
  assert.match(await t.serverVersion(), /^PGlite \(PostgreSQL \d+/);
  await t.exec('CREATE TABLE x (id int); INSERT INTO x VALUES (1), (2)');
  // Another OS process tries to open it while we hold it.
  const other = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const script = `import { openTarget } from './src/db/target.ts';
      try { await openTarget('local', ${JSON.stringify(cfg)}, { waitMs: 300 }); console.log('opened'); }
      catch (e) { console.log(e.constructor.name + ': ' + e.message); }`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('close', (code) => resolve({ code, out }));
  });
  assert.match(other.out, new RegExp(`BusyError: target "local" \\(${path}\\) is in use by pid ${process.pid}`));
  const busy = await probeTarget('local', cfg);
  assert.is(busy.status, 'busy', 'held (even by this process): a probe reports busy instead of opening it twice');
  assert.match(busy.error!, /in use by pid/);
  await t.close();
  const again = await openTarget('local', cfg);
  assert.equal(await again.query('SELECT count(*)::int AS n FROM x'), [{ n: 2 }]);
  await again.close();
});

test('PGlite status from its files: up without booting, damage and a foreign server are down, deep opens it', async () => {
  const path = join(tempDir(), 'pg');
  const cfg = { engine: 'pglite' as const, path, production: false };
  const t = await openTarget('local', cfg);
  await t.close();
  const disk = await probeTarget('local', cfg);
  assert.is(disk.status, 'up');
  assert.match(disk.version!, /^PGlite \(PostgreSQL \d+, on disk\)$/);
  assert.is(disk.details?.['checkedOn'], 'disk');
  assert.is(disk.details?.['clusterState'], 'shut down');
  assert.ok(disk.checkedAt && Date.parse(disk.checkedAt) > 0, 'each answer says when it was checked');
  const deep = await runCheck(targetHealthCheck('local', cfg), {} as HealthEnv, { deep: true });
  assert.match(deep.version!, /^PGlite \(PostgreSQL \d+\.\d+\)$/, 'deep boots PostgreSQL and asks it');

  const control = join(path, 'global', 'pg_control');
  const original = readFileSync(control);
  const flipped = Buffer.from(original);
  flipped[40] = flipped[40]! ^ 0xff;
  writeFileSync(control, flipped);
  const damaged = await probeTarget('local', cfg);
  assert.is(damaged.status, 'down');
  assert.match(damaged.error!, /pg_control fails its CRC check/);
  writeFileSync(control, original);

  writeFileSync(join(path, 'postmaster.pid'), '4242\n');
  const foreign = await probeTarget('local', cfg);
  assert.is(foreign.status, 'down');
  assert.match(foreign.error!, /a PostgreSQL server claims it/);
  rmSync(join(path, 'postmaster.pid'));

  rmSync(join(path, 'PG_VERSION'));
  assert.match((await probeTarget('local', cfg)).error!, /PG_VERSION is missing/);
});

test('checkHealth maxAgeMs: a fresh answer is reused with its own checkedAt; invalidateHealth forgets it', async () => {
  const dir = tempDir();
  const fileConfig = { home: dir, targets: { local: { engine: 'pglite', path: join(dir, 'pg') } } };
  const { config } = loadConfig({ cwd: dir, env: {}, redactor: new Redactor(), fileConfig });
  const env = { config, state: () => Promise.reject(new Error('unused')) };
  const onlyLocal = { filter: (c: { id: string }) => c.id === 'target:local' };
  const first = await checkHealth(env, { ...onlyLocal, maxAgeMs: 60_000 });
  assert.is(first[0]!.status, 'absent');
  await (await openTarget('local', config.targets['local']!)).close();
  const cached = await checkHealth(env, { ...onlyLocal, maxAgeMs: 60_000 });
  assert.is(cached[0]!.status, 'absent', 'within maxAgeMs the last answer stands');
  assert.is(cached[0]!.checkedAt, first[0]!.checkedAt);
  assert.is((await checkHealth(env, onlyLocal))[0]!.status, 'up', 'maxAgeMs 0 (the default) probes again');
  invalidateHealth();
  assert.is((await checkHealth(env, { ...onlyLocal, maxAgeMs: 60_000 }))[0]!.status, 'up', 'invalidated: probed again');
});

/** A target's component through the health-check registry's own skeleton (timeout, busy, absent). */
function probeTarget(name: string, config: TargetConfig, options: { timeoutMs?: number } = {}) {
  return runCheck(targetHealthCheck(name, config), {} as HealthEnv, options);
}

test.run();
