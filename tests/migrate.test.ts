import { readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { migrateBaseline } from '../commands/migrate/baseline.js';
import { migrateCreate } from '../commands/migrate/create.js';
import { migrateDown } from '../commands/migrate/down.js';
import { migrateRepair } from '../commands/migrate/repair.js';
import { migrateStatus } from '../commands/migrate/status.js';
import { migrateUp } from '../commands/migrate/up.js';
import { migrateValidate } from '../commands/migrate/validate.js';
import { invoke } from '../commands/operation.js';
import { ConfirmationRequired, NotFoundError, OperationFailed } from '../src/errors.js';
import { parseMigration, splitStatements } from '../src/migrations/files.js';
import { createMysqlDatabase, createPgDatabase, pgQuery } from './helpers/databases.js';
import { migrationWorkspace, pool, rejects } from './helpers/migrations.js';
import mysql from 'mysql2/promise';

const PG_FILES: Array<[string, string]> = [
  [
    '001_dashboard_tables.sql',
    `-- migrate:up
CREATE TABLE dashboard_data (fecha_foto date NOT NULL, archivo text NOT NULL, cartera text NOT NULL, servicio text NOT NULL, monto numeric, PRIMARY KEY (fecha_foto, archivo, cartera, servicio));
-- a comment; with a semicolon
CREATE FUNCTION touch() RETURNS trigger AS $$ BEGIN NEW.monto := coalesce(NEW.monto, 0); RETURN NEW; END; $$ LANGUAGE plpgsql;
-- migrate:down
DROP FUNCTION touch();
DROP TABLE dashboard_data;
`,
  ],
  [
    '002_etl_tables.sql',
    `-- migrate:up
CREATE TABLE etl_watermarks (table_name text PRIMARY KEY, last_value text, updated_at timestamptz NOT NULL DEFAULT now());
INSERT INTO etl_watermarks (table_name, last_value) VALUES ('dashboard_data', 'a;b');
-- migrate:down
DROP TABLE etl_watermarks;
`,
  ],
];

async function mysqlQuery<T>(url: string, sql: string): Promise<T[]> {
  const c = await mysql.createConnection(url);
  try {
    const [rows] = await c.query(sql);
    return rows as T[];
  } finally {
    await c.end();
  }
}

test('statements split on ; outside strings, comments and dollar quotes; sections and options parse', () => {
  assert.equal(splitStatements('SELECT \'a;b\'; -- c;d\nSELECT $x$ ; $x$;\n/* ; */ SELECT "q;"', 'postgres'), [
    "SELECT 'a;b'",
    '-- c;d\nSELECT $x$ ; $x$',
    '/* ; */ SELECT "q;"',
  ]);
  assert.equal(splitStatements("SELECT 'it\\'s;'; # x;\nSELECT `a;b`", 'mysql'), [
    "SELECT 'it\\'s;'",
    '# x;\nSELECT `a;b`',
  ]);
  const m = parseMigration(
    '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);\n-- migrate:down\nDROP INDEX i;',
    'postgres',
    'f.sql',
  );
  assert.is(m.up.transaction, false);
  assert.equal(m.down?.statements, ['DROP INDEX i']);
  assert.throws(() => parseMigration('CREATE TABLE x (a int);', 'postgres', 'f.sql'), /before "-- migrate:up"/);
  assert.throws(
    () => parseMigration('-- migrate:up nonsense\nSELECT 1', 'postgres', 'f.sql'),
    /unknown option "nonsense"/,
  );
});

test('PostgreSQL: up, status, down round trip; history records checksum, duration and who', async () => {
  const db = await createPgDatabase('opsctl_migrate');
  try {
    const ws = migrationWorkspace({ app: { engine: 'postgres', url: db.url, pool } });
    for (const [f, t] of PG_FILES) ws.write('app', f, t);
    const ctx = ws.runtime();
    const before = await invoke(migrateStatus, ctx, { target: 'app' });
    assert.is(before.targets[0]!.pending.length, 2);
    assert.is(before.targets[0]!.historyExists, false);
    const progress: string[] = [];
    const up = await invoke(
      migrateUp,
      { ...ctx, progress: (p) => progress.push(`${p.phase} ${p.done}/${p.total}`) },
      { target: 'app' },
    );
    assert.equal(
      up.done.map((d) => [d.version, d.statements]),
      [
        ['001', 2],
        ['002', 2],
      ],
    );
    assert.is(up.current, '002');
    assert.ok(progress.includes('up 001_dashboard_tables (1/2) 1/2'), progress.join('\n'));
    const wm = await pgQuery<{ last_value: string }>(db.url, 'SELECT last_value FROM etl_watermarks');
    assert.equal(wm, [{ last_value: 'a;b' }]);
    const hist = await pgQuery<{
      version: string;
      checksum: string;
      status: string;
      applied_by: string;
      duration_ms: number;
    }>(db.url, 'SELECT * FROM opsctl_schema_migrations ORDER BY version');
    assert.equal(
      hist.map((h) => [h.version, h.status]),
      [
        ['001', 'applied'],
        ['002', 'applied'],
      ],
    );
    assert.match(hist[0]!.checksum, /^[0-9a-f]{64}$/);
    assert.match(hist[0]!.applied_by, /pid \d+/);
    const st = (await invoke(migrateStatus, ctx, {})).targets[0]!;
    assert.is(st.applied.length, 2);
    assert.is(st.pending.length, 0);
    await ctx.close();

    try {
      await invoke(migrateDown, ctx, { target: 'app', steps: 2 });
      assert.unreachable('down without confirmation');
    } catch (error) {
      assert.instance(error, ConfirmationRequired);
      assert.match((error as Error).message, /roll back 002_etl_tables, 001_dashboard_tables on target "app"/);
    }
    const down = await invoke(migrateDown, ctx, { target: 'app', steps: 2, confirm: true });
    assert.equal(
      down.done.map((d) => d.version),
      ['002', '001'],
    );
    const tables = await pgQuery<{ t: string }>(
      db.url,
      "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
    );
    assert.equal(
      tables.map((t) => t.t),
      ['opsctl_schema_migrations'],
    );
    assert.equal(await pgQuery(db.url, 'SELECT * FROM opsctl_schema_migrations'), []);
  } finally {
    await db.drop();
  }
});

test('PostgreSQL: a failing statement rolls the whole migration back; transaction:false runs CREATE INDEX CONCURRENTLY', async () => {
  const db = await createPgDatabase('opsctl_migrate');
  try {
    const ws = migrationWorkspace({ app: { engine: 'postgres', url: db.url, pool } });
    ws.write(
      'app',
      '001_invoices.sql',
      '-- migrate:up\nCREATE TABLE invoices (id int PRIMARY KEY, organization_id int, created_at timestamptz, deleted_at timestamptz);\nINSERT INTO invoices VALUES (1, 1, now(), NULL);\n-- migrate:down\nDROP TABLE invoices;',
    );
    ws.write(
      'app',
      '002_broken.sql',
      '-- migrate:up\nCREATE TABLE half (a int);\nSELECT no_such_column FROM invoices;\n-- migrate:down\nDROP TABLE half;',
    );
    const ctx = ws.runtime();
    try {
      await invoke(migrateUp, ctx, { target: 'app' });
      assert.unreachable();
    } catch (error) {
      assert.instance(error, OperationFailed);
      assert.match((error as Error).message, /up 002_broken failed at statement 2 of 2: .*no_such_column.*rolled back/);
    }
    assert.equal(
      await pgQuery(db.url, "SELECT 1 FROM pg_tables WHERE tablename = 'half'"),
      [],
      'statement 1 was rolled back',
    );
    const st = (await invoke(migrateStatus, ctx, { target: 'app' })).targets[0]!;
    assert.equal([st.current, st.pending.map((p) => p.version), st.dirty], ['001', ['002'], null]);

    ws.write(
      'app',
      '002_broken.sql',
      '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY ix_invoices_org_created ON invoices (organization_id, created_at DESC);\nCREATE INDEX CONCURRENTLY ix_invoices_org_deleted ON invoices (organization_id) WHERE deleted_at IS NULL;\n-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY ix_invoices_org_deleted;\nDROP INDEX CONCURRENTLY ix_invoices_org_created;',
    );
    const up = await invoke(migrateUp, ctx, { target: 'app' });
    assert.equal(
      up.plan.map((p) => p.transaction),
      [false],
    );
    const idx = await pgQuery<{ i: string }>(
      db.url,
      "SELECT indexname AS i FROM pg_indexes WHERE tablename = 'invoices' AND indexname LIKE 'ix_%' ORDER BY 1",
    );
    assert.equal(
      idx.map((r) => r.i),
      ['ix_invoices_org_created', 'ix_invoices_org_deleted'],
    );
    await invoke(migrateDown, ctx, { target: 'app', confirm: true });
    assert.equal(await pgQuery(db.url, "SELECT 1 FROM pg_indexes WHERE indexname LIKE 'ix_invoices%'"), []);
  } finally {
    await db.drop();
  }
});

test('dry-run changes nothing: no history table, no schema, and the plan lists the SQL in order', async () => {
  const db = await createPgDatabase('opsctl_migrate');
  try {
    const ws = migrationWorkspace({ app: { engine: 'postgres', url: db.url, pool } });
    for (const [f, t] of PG_FILES) ws.write('app', f, t);
    const ctx = ws.runtime();
    const plan = await invoke(migrateUp, ctx, { target: 'app', dryRun: true });
    assert.is(plan.dryRun, true);
    assert.equal(
      plan.plan.map((p) => `${p.version}:${p.statements.length}`),
      ['001:2', '002:2'],
    );
    assert.match(plan.plan[1]!.statements[1]!, /VALUES \('dashboard_data', 'a;b'\)/);
    assert.equal(await pgQuery(db.url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"), []);
    await invoke(migrateUp, ctx, { target: 'app' });
    const downPlan = await invoke(migrateDown, ctx, { target: 'app', dryRun: true, steps: 1 });
    assert.equal(
      downPlan.plan.map((p) => [p.direction, p.version, p.statements]),
      [['down', '002', ['DROP TABLE etl_watermarks']]],
    );
    assert.is((await pgQuery(db.url, 'SELECT count(*)::int AS n FROM opsctl_schema_migrations'))[0]!.n, 2);
    assert.is((await pgQuery(db.url, 'SELECT count(*)::int AS n FROM etl_watermarks'))[0]!.n, 1);
  } finally {
    await db.drop();
  }
});

test('a file edited after it was applied is drift: status and validate name file and version; up refuses; repair accepts it', async () => {
  const db = await createPgDatabase('opsctl_migrate');
  try {
    const ws = migrationWorkspace({ app: { engine: 'postgres', url: db.url, pool } });
    const paths = PG_FILES.map(([f, t]) => ws.write('app', f, t));
    const ctx = ws.runtime();
    await invoke(migrateUp, ctx, { target: 'app', to: '001' });
    appendFileSync(paths[0]!, '\n-- edited later\n');
    const st = (await invoke(migrateStatus, ctx, { target: 'app' })).targets[0]!;
    assert.equal(
      st.drifted.map((d) => [d.version, d.file]),
      [['001', paths[0]]],
    );
    const v = await invoke(migrateValidate, ctx, {});
    assert.is(v.ok, false);
    assert.match(
      v.targets[0]!.problems[0]!,
      new RegExp(
        `001_dashboard_tables changed after it was applied: ${paths[0]!.replace(/[/.]/g, '\\$&')} has checksum`,
      ),
    );
    try {
      await invoke(migrateUp, ctx, { target: 'app' });
      assert.unreachable();
    } catch (error) {
      assert.match((error as Error).message, /migrate up refused on target "app": 001_dashboard_tables changed/);
    }
    await rejects(invoke(migrateRepair, ctx, { target: 'app' }), ConfirmationRequired);
    const r = await invoke(migrateRepair, ctx, { target: 'app', confirm: true });
    assert.equal(
      r.actions.map((a) => a.action),
      ['realigned-checksum'],
    );
    assert.is((await invoke(migrateValidate, ctx, {})).ok, true);
    await invoke(migrateUp, ctx, { target: 'app' });
  } finally {
    await db.drop();
  }
});

test('MariaDB: round trip, then a migration whose third statement fails is dirty with an exact state and blocks up', async () => {
  const db = await createMysqlDatabase('opsctl_migrate');
  try {
    const ws = migrationWorkspace({ reco: { engine: 'mysql', url: db.url, pool } });
    ws.write(
      'reco',
      '001_recommendations.sql',
      '-- migrate:up\nCREATE TABLE recommendations (id BIGINT AUTO_INCREMENT PRIMARY KEY, user_id BIGINT NOT NULL, item_id BIGINT NOT NULL, score DOUBLE NOT NULL, created_at DATETIME NOT NULL);\n-- migrate:down\nDROP TABLE recommendations;',
    );
    const ctx = ws.runtime();
    await invoke(migrateUp, ctx, {});
    await invoke(migrateDown, ctx, { confirm: true });
    assert.equal(await mysqlQuery(db.url, "SHOW TABLES LIKE 'recommendations'"), []);
    await invoke(migrateUp, ctx, {});

    ws.write(
      'reco',
      '002_recommendation_indexes.sql',
      `-- migrate:up
CREATE INDEX idx_reco_user_score ON recommendations (user_id, score DESC);
CREATE INDEX idx_reco_item ON recommendations (item_id);
CREATE INDEX idx_reco_broken ON recommendations (no_such_column);
CREATE INDEX idx_reco_created ON recommendations (created_at);
-- migrate:down
DROP INDEX idx_reco_created ON recommendations;
DROP INDEX idx_reco_item ON recommendations;
DROP INDEX idx_reco_user_score ON recommendations;
`,
    );
    try {
      await invoke(migrateUp, ctx, {});
      assert.unreachable();
    } catch (error) {
      assert.instance(error, OperationFailed);
      assert.match(
        (error as Error).message,
        /up 002_recommendation_indexes failed at statement 3 of 4: .*no_such_column.*Statements 1-2 ran and are committed; 002_recommendation_indexes is marked dirty/,
      );
    }
    const indexes = await mysqlQuery<{ Key_name: string }>(db.url, 'SHOW INDEX FROM recommendations');
    assert.equal([...new Set(indexes.map((i) => i.Key_name))].sort(), [
      'PRIMARY',
      'idx_reco_item',
      'idx_reco_user_score',
    ]);
    const st = (await invoke(migrateStatus, ctx, { target: 'reco' })).targets[0]!;
    assert.ok(st.dirty);
    assert.equal(
      {
        done: st.dirty.statementsDone,
        total: st.dirty.statementsTotal,
        failed: st.dirty.failedStatement,
        ran: st.dirty.ran.length,
        notRun: st.dirty.notRun,
      },
      {
        done: 2,
        total: 4,
        failed: 3,
        ran: 2,
        notRun: ['CREATE INDEX idx_reco_created ON recommendations (created_at)'],
      },
    );
    assert.match(st.dirty.failed!, /no_such_column/);
    assert.match(st.dirty.error!, /no_such_column/);
    assert.is((await invoke(migrateStatus, ctx, {})).ok, false);
    try {
      await invoke(migrateUp, ctx, {});
      assert.unreachable();
    } catch (error) {
      assert.match(
        (error as Error).message,
        /migrate up refused on target "reco": 002_recommendation_indexes is dirty: up stopped after 2 of 4 statements; statement 3 failed/,
      );
    }
    // The operator undoes the two statements that ran, fixes the file, and repairs.
    await mysqlQuery(db.url, 'DROP INDEX idx_reco_item ON recommendations');
    await mysqlQuery(db.url, 'DROP INDEX idx_reco_user_score ON recommendations');
    const path = join(ws.dir, 'migrations/reco/002_recommendation_indexes.sql');
    writeFileSync(
      path,
      readFileSync(path, 'utf8').replace('CREATE INDEX idx_reco_broken ON recommendations (no_such_column);\n', ''),
    );
    const r = await invoke(migrateRepair, ctx, { confirm: true });
    assert.equal(
      r.actions.map((a) => a.action),
      ['cleared-dirty-now-pending'],
    );
    const up = await invoke(migrateUp, ctx, {});
    assert.equal(
      up.done.map((d) => [d.version, d.statements]),
      [['002', 3]],
    );
    const hist = await mysqlQuery<{ version: string; status: string; statements_done: number; error: string | null }>(
      db.url,
      'SELECT version, status, statements_done, error FROM opsctl_schema_migrations ORDER BY version',
    );
    assert.equal(hist, [
      { version: '001', status: 'applied', statements_done: 1, error: null },
      { version: '002', status: 'applied', statements_done: 3, error: null },
    ]);
  } finally {
    await db.drop();
  }
});

test('PGlite: round trip, baseline on a database that already has the schema, create numbers the next file', async () => {
  const ws = migrationWorkspace({ local: { engine: 'pglite', path: '.opsctl/pglite/local' } });
  for (const [f, t] of PG_FILES) ws.write('local', f, t);
  const ctx = ws.runtime();
  const absent = (await invoke(migrateStatus, ctx, {})).targets[0]!;
  assert.equal(
    [absent.historyExists, absent.pending.length],
    [false, 2],
    'status reads a PGlite target that does not exist yet without creating it',
  );
  const up = await invoke(migrateUp, ctx, {});
  assert.is(up.current, '002');
  const down = await invoke(migrateDown, ctx, { confirm: true, steps: 2 });
  assert.equal(
    down.done.map((d) => d.version),
    ['002', '001'],
  );
  const created = await invoke(migrateCreate, ctx, { target: 'local', name: 'Add invoice indexes' });
  assert.match(created.path, /migrations\/local\/003_add_invoice_indexes\.sql$/);
  assert.match(readFileSync(created.path, 'utf8'), /-- migrate:up[\s\S]*-- migrate:down/);
  // A database that already has 001's schema: baseline at 001, then up applies only 002.
  const { openTarget } = await import('../src/db/target.js');
  const t = await openTarget('local', ctx.config.targets.local!);
  await t.exec(PG_FILES[0]![1].split('-- migrate:down')[0]!.replace('-- migrate:up', ''));
  await t.close();
  const b = await invoke(migrateBaseline, ctx, { target: 'local', version: '001' });
  assert.equal(
    b.baselined.map((x) => x.version),
    ['001'],
  );
  await rejects(invoke(migrateBaseline, ctx, { target: 'local', version: '001' }), /already has migration history/);
  await rejects(invoke(migrateUp, ctx, {}), /the up section is empty/, 'the new empty file is refused, naming it');
  const to = await invoke(migrateUp, ctx, { to: '002' });
  assert.equal(
    to.done.map((d) => d.version),
    ['002'],
  );
  const st = (await invoke(migrateStatus, ctx, {})).targets[0]!;
  assert.equal(
    st.migrations.map((m) => `${m.version}:${m.state}`),
    ['001:baseline', '002:applied', '003:pending'],
  );
  await rejects(invoke(migrateDown, ctx, { confirm: true, steps: 2 }), /is the baseline/);
});

test('a half-written row whose run still holds the lock is in progress, not dirty; once the lock is gone it is dirty', async () => {
  const db = await createPgDatabase('opsctl_migrate');
  const { openTarget } = await import('../src/db/target.js');
  const { openSession } = await import('../src/migrations/session.js');
  const { ensureHistory, insertHistory } = await import('../src/migrations/history.js');
  const { readStatus } = await import('../src/migrations/runner.js');
  const { problemsOf } = await import('../src/migrations/status.js');
  const ws = migrationWorkspace({ app: { engine: 'postgres', url: db.url, pool } });
  ws.write(
    'app',
    '001_slow.sql',
    '-- migrate:up transaction:false\nCREATE TABLE a (x int);\nCREATE TABLE b (x int);\nCREATE TABLE c (x int);\n-- migrate:down\nDROP TABLE a;',
  );
  const target = await openTarget('app', { engine: 'postgres', url: db.url, pool, production: false });
  const runner = await openSession(target);
  try {
    await runner.lock(0);
    await ensureHistory(runner);
    await insertHistory(runner, {
      version: '001',
      name: 'slow',
      checksum: 'x'.repeat(64),
      status: 'dirty',
      operation: 'up',
      statementsTotal: 3,
      statementsDone: 1,
      durationMs: 0,
      appliedBy: 'test',
    });
    const during = (await readStatus(target, { dir: join(ws.dir, 'migrations/app') })).status;
    assert.match(during.dirty!.runningBy!, new RegExp(`pid ${process.pid}, PostgreSQL backend \\d+`));
    assert.match(problemsOf(during)[0]!, /^001_slow is being applied by .*: 1 of 3 statements done$/);
    await runner.unlock();
    const after = (await readStatus(target, { dir: join(ws.dir, 'migrations/app') })).status;
    assert.is(after.dirty!.runningBy, undefined);
    assert.match(
      problemsOf(after)[0]!,
      /001_slow is dirty: up stopped after 1 of 3 statements \(the process stopped between statements\)/,
    );
    assert.equal(after.dirty!.notRun, ['CREATE TABLE b (x int)', 'CREATE TABLE c (x int)']);
  } finally {
    await runner.release();
    await target.close();
    await db.drop();
  }
});

test('a target that is not configured is a NotFoundError naming the known ones', async () => {
  const ws = migrationWorkspace({ local: { engine: 'pglite' } });
  const ctx = ws.runtime();
  try {
    await invoke(migrateStatus, ctx, { target: 'nope' });
    assert.unreachable();
  } catch (error) {
    assert.instance(error, NotFoundError);
    assert.match((error as Error).message, /target "nope" is not configured/);
    assert.match((error as NotFoundError).hint!, /Known targets: local/);
  }
});

test.run();
