import mysql from 'mysql2/promise';
import pg from 'pg';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { run } from '../commands/catalog.js';
import { createRuntime, type Runtime } from '../commands/runtime.js';
import { loadConfig } from '../src/config/load.js';
import { quoteMysql } from '../src/db/identifiers.js';
import { redactSqlLiterals } from '../src/db/redact-literals.js';
import { ConfirmationRequired } from '../src/errors.js';
import { silentLogger } from '../src/log/logger.js';
import { createMysqlDatabase, createPgDatabase, MYSQL_ADMIN_URL, uniqueName } from './helpers/databases.js';
import { tempDir } from './helpers/tmp.js';

function runtimeFor(targets: Record<string, unknown>): Runtime {
  const home = tempDir('opsctl-dbv-');
  const loaded = loadConfig({ fileConfig: { home, targets }, isolated: true, cwd: home });
  return createRuntime({ loaded, log: silentLogger, trigger: 'cli' });
}

async function pidOf(c: pg.Client): Promise<number> {
  return (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
}

/** Polls `fn` until it returns something truthy (a server needs a moment to show a new session). */
async function until<T>(fn: () => Promise<T | undefined | false>, what: string, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('SQL literals are redacted, identifiers and placeholders kept', () => {
  assert.is(
    redactSqlLiterals("SELECT * FROM t1 WHERE email = 'a@b.c' AND n > 42 AND x = $1 AND s = E'it\\'s'", 'postgres'),
    'SELECT * FROM t1 WHERE email = ? AND n > ? AND x = $1 AND s = ?',
  );
  assert.is(redactSqlLiterals("SELECT $$secret$$, 'it''s', 1.5e3", 'postgres'), 'SELECT ?, ?, ?');
  assert.is(
    redactSqlLiterals('UPDATE `t2` SET pw = "hunter2", n = 0x1F WHERE id IN (1, 2) -- note 7', 'mysql'),
    'UPDATE `t2` SET pw = ?, n = ? WHERE id IN (?, ?) -- note 7',
  );
  assert.is(redactSqlLiterals('SELECT "col1" FROM s.t WHERE a = 3', 'postgres'), 'SELECT "col1" FROM s.t WHERE a = ?');
});

test('PostgreSQL: 20 held connections counted, a pg_sleep seen then cancelled, a lock wait shows its blocker, an unused index reported', async () => {
  const db = await createPgDatabase('opsctl_dbv');
  const app = uniqueName('holder');
  const holders: pg.Client[] = [];
  const others: pg.Client[] = [];
  const rt = runtimeFor({
    app: { engine: 'postgres', url: db.url },
    prod: { engine: 'postgres', url: db.url, production: true },
  });
  try {
    for (let i = 0; i < 20; i++) {
      const c = new pg.Client({ connectionString: db.url, application_name: app });
      await c.connect();
      holders.push(c);
    }
    let top = await run('db.top', rt, { target: 'app' });
    assert.is(top.connections.byUser.find((u) => u.application === app)?.count, 20);
    assert.ok(top.connections.inUse >= 20);
    assert.ok(top.connections.max >= 20);
    assert.is(top.replicationLagMs, null);

    const sleeper = new pg.Client({ connectionString: db.url, application_name: 'sleeper' });
    await sleeper.connect();
    others.push(sleeper);
    const sleeperPid = await pidOf(sleeper);
    const sleeping = sleeper.query("SELECT pg_sleep(30), 'secret-value'").then(
      () => 'finished',
      (e: { code?: string }) => e.code,
    );
    const seen = await until(async () => {
      top = await run('db.top', rt, { target: 'app' });
      return top.queries.find((q) => q.application === 'sleeper' && q.query.includes('pg_sleep'));
    }, 'the pg_sleep in db top');
    assert.is(seen.query, 'SELECT pg_sleep(?), ?');
    assert.is(seen.id, sleeperPid);
    try {
      await run('db.cancel', rt, { target: 'app', id: seen.id });
      assert.unreachable('cancelled without confirmation');
    } catch (error) {
      assert.instance(error, ConfirmationRequired);
    }
    try {
      await run('db.cancel', rt, { target: 'prod', id: seen.id, confirm: true });
      assert.unreachable('a production target accepted --yes alone');
    } catch (error) {
      assert.instance(error, ConfirmationRequired);
      assert.is((error as ConfirmationRequired).typed, 'prod');
    }
    const started = Date.now();
    const cancelled = await run('db.cancel', rt, { target: 'app', id: seen.id, confirm: true });
    assert.ok(cancelled.done);
    assert.is(await sleeping, '57014'); // query_canceled
    assert.ok(Date.now() - started < 10_000);

    const a = new pg.Client({ connectionString: db.url });
    const b = new pg.Client({ connectionString: db.url });
    await a.connect();
    await b.connect();
    others.push(a, b);
    const [aPid, bPid] = [await pidOf(a), await pidOf(b)];
    await a.query('CREATE TABLE items (id int PRIMARY KEY, v int)');
    await a.query('INSERT INTO items VALUES (1, 0)');
    await a.query('CREATE INDEX items_v_idx ON items (v)');
    await a.query('BEGIN');
    await a.query('UPDATE items SET v = 1 WHERE id = 1');
    const blocked = b.query('UPDATE items SET v = 2 WHERE id = 1').catch(() => undefined);
    const wait = await until(async () => {
      top = await run('db.top', rt, { target: 'app' });
      return top.locks.find((l) => l.waitingId === bPid);
    }, 'the lock wait');
    assert.is(wait.blockingId, aPid);
    assert.is(wait.waitingQuery, 'UPDATE items SET v = ? WHERE id = ?');
    await a.query('ROLLBACK');
    await blocked;

    const indexes = await run('db.indexes', rt, { target: 'app' });
    assert.equal(
      indexes.unused.map((u) => u.index),
      ['items_v_idx'],
    );
    assert.ok(indexes.tables.some((t) => t.table === 'public.items' && (t.sizeBytes ?? 0) > 0));

    const maintained = await run('db.maintain', rt, {
      target: 'app',
      table: 'items',
      action: 'reindex',
      confirm: true,
    });
    assert.is(maintained.sql, 'REINDEX TABLE "items"');
    // The name db.indexes lists (schema.table) is what the Health pane hands to db.maintain.
    const listed = await run('db.maintain', rt, { target: 'app', table: 'public.items', confirm: true });
    assert.is(listed.sql, 'VACUUM (ANALYZE) "public"."items"');

    const slow = await run('db.slow', rt, { target: 'app' });
    if (slow.source === null) assert.match(slow.howToEnable ?? '', /shared_preload_libraries/);
  } finally {
    await Promise.all([...holders, ...others].map((c) => c.end().catch(() => undefined)));
    await rt.close();
    await db.drop();
  }
});

test('MariaDB: 20 held connections counted, a SLEEP seen then cancelled, a lock wait shows its blocker, indexes and slow log say what the server records', async () => {
  const db = await createMysqlDatabase('opsctl_dbv');
  const user = `h${process.pid}_${Date.now().toString(36)}`.slice(0, 30);
  const admin = await mysql.createConnection(MYSQL_ADMIN_URL);
  await admin.query(`CREATE USER ${quoteMysql(user)}@'%' IDENTIFIED BY 'pw-for-test'`);
  await admin.query(`GRANT ALL ON ${quoteMysql(db.name)}.* TO ${quoteMysql(user)}@'%'`);
  const userUrl = new URL(db.url);
  userUrl.username = user;
  userUrl.password = 'pw-for-test';
  const conns: mysql.Connection[] = [];
  const rt = runtimeFor({ reco: { engine: 'mysql', url: db.url } });
  try {
    for (let i = 0; i < 20; i++) conns.push(await mysql.createConnection(userUrl.toString()));
    let top = await run('db.top', rt, { target: 'reco' });
    assert.is(
      top.connections.byUser.filter((u) => u.user === user).reduce((s, u) => s + u.count, 0),
      20,
    );
    assert.ok(top.connections.max >= 20);

    const sleeper = await mysql.createConnection(db.url);
    conns.push(sleeper);
    const sleeping = sleeper.query("SELECT SLEEP(30), 'secret-value'").then(
      ([rows]) => (rows as Array<Record<string, unknown>>)[0],
      (e: { code?: string }) => e.code,
    );
    const seen = await until(async () => {
      top = await run('db.top', rt, { target: 'reco' });
      return top.queries.find((q) => q.id === sleeper.threadId);
    }, 'the SLEEP in db top');
    assert.is(seen.query, 'SELECT SLEEP(?), ?');
    const started = Date.now();
    await run('db.cancel', rt, { target: 'reco', id: seen.id, confirm: true });
    const outcome = await sleeping;
    // KILL QUERY interrupts SLEEP: it returns 1 (interrupted) or the statement fails, never the full 30 s.
    assert.ok(Date.now() - started < 10_000, JSON.stringify(outcome));

    const a = await mysql.createConnection(db.url);
    const b = await mysql.createConnection(db.url);
    conns.push(a, b);
    await a.query('CREATE TABLE items (id INT PRIMARY KEY, v INT, KEY items_v_idx (v)) ENGINE=InnoDB');
    await a.query('INSERT INTO items VALUES (1, 0)');
    await a.query('BEGIN');
    await a.query('UPDATE items SET v = 1 WHERE id = 1');
    const blocked = b.query('UPDATE items SET v = 2 WHERE id = 1').catch(() => undefined);
    const wait = await until(async () => {
      top = await run('db.top', rt, { target: 'reco' });
      return top.locks.find((l) => l.waitingId === b.threadId);
    }, 'the lock wait');
    assert.is(wait.blockingId, a.threadId);
    assert.is(wait.waitingQuery, 'UPDATE items SET v = ? WHERE id = ?');
    assert.is(wait.blockingQuery, '(idle in transaction)');
    await a.query('ROLLBACK');
    await blocked;

    const indexes = await run('db.indexes', rt, { target: 'reco' });
    assert.ok(indexes.tables.some((t) => t.table === 'items'));
    const [[ps]] = (await admin.query('SELECT @@performance_schema AS ps')) as unknown as [[{ ps: number }]];
    if (ps.ps === 1) assert.ok(indexes.unused.some((u) => u.index === 'items_v_idx'));
    else assert.match(indexes.notes.join(' '), /performance_schema=ON/);

    const slow = await run('db.slow', rt, { target: 'reco' });
    if (slow.source === null) assert.match(slow.howToEnable ?? '', /performance_schema=ON|slow_query_log/);

    const maintained = await run('db.maintain', rt, {
      target: 'reco',
      table: 'items',
      action: 'analyze',
      confirm: true,
    });
    assert.is(maintained.sql, 'ANALYZE TABLE `items`');
  } finally {
    await Promise.all(conns.map((c) => c.end().catch(() => undefined)));
    await admin.query(`DROP USER IF EXISTS ${quoteMysql(user)}@'%'`).catch(() => undefined);
    await admin.end();
    await rt.close();
    await db.drop();
  }
});

test.run();
