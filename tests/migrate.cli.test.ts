import { appendFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import mysql from 'mysql2/promise';
import { openTarget } from '../src/db/target.js';
import { openSession } from '../src/migrations/session.js';
import { runCli, stderrText } from './helpers/cli.js';
import { createMysqlDatabase, createPgDatabase, pgQuery } from './helpers/databases.js';
import { migrationWorkspace, pool } from './helpers/migrations.js';

const cli = (dir: string, args: string[]) => runCli(args, { cwd: dir });

async function mysqlQuery<T>(url: string, sql: string): Promise<T[]> {
  const c = await mysql.createConnection(url);
  try {
    return (await c.query(sql))[0] as T[];
  } finally {
    await c.end();
  }
}

for (const engine of ['postgres', 'mysql'] as const) {
  test(`${engine}: two processes racing \`migrate up\` apply each migration exactly once`, async () => {
    const db =
      engine === 'postgres' ? await createPgDatabase('opsctl_migrate') : await createMysqlDatabase('opsctl_migrate');
    try {
      const ws = migrationWorkspace({ app: { engine, url: db.url, pool } });
      const sleep = engine === 'postgres' ? 'SELECT pg_sleep(0.4)' : 'SELECT SLEEP(0.4)';
      ws.write(
        'app',
        '001_log.sql',
        '-- migrate:up\nCREATE TABLE applied_log (version VARCHAR(10) NOT NULL);\n-- migrate:down\nDROP TABLE applied_log;',
      );
      for (const v of ['002', '003', '004'])
        ws.write(
          'app',
          `${v}_step.sql`,
          `-- migrate:up\n${sleep};\nINSERT INTO applied_log (version) VALUES ('${v}');\n-- migrate:down\nDELETE FROM applied_log WHERE version = '${v}';`,
        );
      const [a, b] = await Promise.all([cli(ws.dir, ['migrate', 'up', 'app']), cli(ws.dir, ['migrate', 'up', 'app'])]);
      assert.is(a.code, 0, a.stderr);
      assert.is(b.code, 0, b.stderr);
      const applied = `${a.stdout}${b.stdout}`.match(/^applied .*$/gm) ?? [];
      assert.is(applied.length, 4, `${a.stdout}\n---\n${b.stdout}`);
      const q =
        engine === 'postgres'
          ? (sql: string) => pgQuery<{ version: string }>(db.url, sql)
          : (sql: string) => mysqlQuery<{ version: string }>(db.url, sql);
      assert.equal(
        (await q('SELECT version FROM applied_log ORDER BY version')).map((r) => r.version),
        ['002', '003', '004'],
      );
      assert.equal(
        (await q('SELECT version FROM opsctl_schema_migrations ORDER BY version')).map((r) => r.version),
        ['001', '002', '003', '004'],
      );
    } finally {
      await db.drop();
    }
  });

  test(`${engine}: the loser of the lock waits its timeout, then names the holder (exit 1)`, async () => {
    const db =
      engine === 'postgres' ? await createPgDatabase('opsctl_migrate') : await createMysqlDatabase('opsctl_migrate');
    const target = await openTarget('app', { engine, url: db.url, pool, production: false });
    const session = await openSession(target);
    try {
      const ws = migrationWorkspace({ app: { engine, url: db.url, pool } });
      ws.write('app', '001_t.sql', '-- migrate:up\nCREATE TABLE t (a INT);\n-- migrate:down\nDROP TABLE t;');
      await session.lock(0);
      const r = await cli(ws.dir, ['migrate', 'up', 'app', '--lock-timeout', '300ms']);
      assert.is(r.code, 1, r.stderr);
      assert.match(
        stderrText(r.stderr),
        new RegExp(`migrations on target "app" are locked by \\S+ pid ${process.pid}.*; waited 300 ms`),
      );
      assert.match(stderrText(r.stderr), /hint: Another `opsctl migrate` is running/);
      await session.unlock();
      const ok = await cli(ws.dir, ['migrate', 'up', 'app', '--lock-timeout', '300ms']);
      assert.is(ok.code, 0, ok.stderr);
    } finally {
      await session.release();
      await target.close();
      await db.drop();
    }
  });
}

test('CLI: status --json, validate exits 1 on drift, down needs --yes, bad target is exit 2, unreachable server exit 1', async () => {
  const db = await createPgDatabase('opsctl_migrate');
  try {
    const ws = migrationWorkspace({
      app: { engine: 'postgres', url: db.url, pool },
      down: { engine: 'postgres', url: 'postgres://u:pw-not-shown@127.0.0.1:1/x', pool },
    });
    const file = ws.write(
      'app',
      '001_invoices.sql',
      '-- migrate:up\nCREATE TABLE invoices (id INT PRIMARY KEY, organization_id INT, created_at TIMESTAMPTZ);\nCREATE INDEX ix_invoices_org_created ON invoices (organization_id, created_at DESC);\n-- migrate:down\nDROP TABLE invoices;',
    );
    const dry = await cli(ws.dir, ['migrate', 'up', 'app', '--dry-run']);
    assert.is(dry.code, 0, dry.stderr);
    assert.match(
      dry.stdout,
      /-- up 001_invoices on "app" \(in a transaction\)\nCREATE TABLE invoices .*;\nCREATE INDEX ix_invoices_org_created ON invoices \(organization_id, created_at DESC\);/,
    );
    assert.equal(await pgQuery(db.url, "SELECT 1 FROM pg_tables WHERE schemaname = 'public'"), []);
    assert.is((await cli(ws.dir, ['migrate', 'up', 'app'])).code, 0);

    const status = await cli(ws.dir, ['migrate', 'status', 'app', '--json']);
    assert.is(status.code, 0, status.stderr);
    const json = JSON.parse(status.stdout);
    assert.equal([json.ok, json.targets[0].current, json.targets[0].applied.length], [true, '001', 1]);

    const all = await cli(ws.dir, ['migrate', 'status']);
    assert.is(all.code, 1, 'an unreachable target fails the overall status');
    assert.match(
      all.stdout,
      /down postgres postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x\n {2}error: target "down" .* connection refused/,
    );
    assert.not.match(all.stdout + all.stderr, /pw-not-shown/);

    const unreachable = await cli(ws.dir, ['migrate', 'up', 'down']);
    assert.is(unreachable.code, 1);
    assert.match(
      stderrText(unreachable.stderr),
      /target "down" \(postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x\) is unreachable: connection refused/,
    );

    const bad = await cli(ws.dir, ['migrate', 'up', 'nope']);
    assert.is(bad.code, 2);
    assert.match(stderrText(bad.stderr), /target "nope" is not configured\nhint: Known targets: app, down/);
    const badInput = await cli(ws.dir, ['migrate', 'down', 'app', '--steps', 'x']);
    assert.is(badInput.code, 2);

    const down = await cli(ws.dir, ['migrate', 'down', 'app']);
    assert.is(down.code, 2);
    assert.match(stderrText(down.stderr), /roll back 001_invoices on target "app": confirmation required/);

    appendFileSync(file, '\n-- changed\n');
    const validate = await cli(ws.dir, ['migrate', 'validate', 'app']);
    assert.is(validate.code, 1);
    assert.match(
      validate.stdout,
      /FAIL app\n {5}001_invoices changed after it was applied: .*001_invoices\.sql has checksum/,
    );
    const st = await cli(ws.dir, ['migrate', 'status', 'app']);
    assert.match(st.stdout, /drift: .*001_invoices\.sql \(version 001\) changed after it was applied/);
    assert.is(st.code, 1);

    const help = await cli(ws.dir, ['migrate', 'up', '--help']);
    assert.match(help.stdout, /--dry-run/);
  } finally {
    await db.drop();
  }
});

test.run();
