import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import mysql from 'mysql2/promise';
import { migrateDown } from '../commands/migrate/down.js';
import { migrateStatus } from '../commands/migrate/status.js';
import { migrateUp } from '../commands/migrate/up.js';
import { migrateValidate } from '../commands/migrate/validate.js';
import { invoke } from '../commands/operation.js';
import { OperationFailed } from '../src/errors.js';
import { splitSql } from '../src/migrations/files.js';
import { createMysqlDatabase, createPgDatabase, pgQuery, type TempDatabase } from './helpers/databases.js';
import { migrationWorkspace, pool, rejects } from './helpers/migrations.js';

/**
 * The corpus in tests/fixtures/real-world (mysqldump and pg_dump output, triggers with and without DELIMITER, BEGIN
 * ATOMIC bodies), applied with opsctl and with the engine's own client into a second database; the two schemas, dumped
 * by mariadb-dump / pg_dump, must be the same.
 */
const FIXTURES = fileURLToPath(new URL('./fixtures/real-world/', import.meta.url));
const fixture = (path: string) => readFileSync(join(FIXTURES, path), 'utf8');
const upSection = (text: string) => text.split(/^-- migrate:down.*$/m)[0]!;

function mysqlArgs(db: TempDatabase): string[] {
  const u = new URL(db.url);
  return ['-h', u.hostname, '-P', u.port || '3306', '-u', decodeURIComponent(u.username), db.name];
}

function mysqlSchema(db: TempDatabase): string {
  const dump = execFileSync(
    'mariadb-dump',
    [
      '--no-data',
      '--routines',
      '--triggers',
      '--skip-comments',
      '--skip-dump-date',
      `--ignore-table=${db.name}.opsctl_schema_migrations`,
      `--ignore-table=${db.name}.opsctl_schema_migrations_lock`,
      ...mysqlArgs(db),
    ],
    { encoding: 'utf8' },
  );
  // Each trigger and routine records the character set of the client session that created it (mysql2: utf8mb4, the
  // mariadb client: utf8mb3): a property of the connection, not of the schema.
  return (
    dump
      .replaceAll(db.name, 'DB')
      .replace(/ AUTO_INCREMENT=\d+/g, '')
      // The mariadb client drops `-- ` comments inside a statement (unless --comments); opsctl, like dbmate, keeps them.
      .replace(/^[ \t]*(-- .*)?$/gm, '')
      .replace(
        /^\/\*!50003 SET (character_set_client|character_set_results|collation_connection) += utf8\w+ \*\/ ;$/gm,
        '',
      )
  );
}

function pgSchema(db: TempDatabase): string {
  const dump = execFileSync(
    'pg_dump',
    ['--schema-only', '--no-owner', '--no-privileges', '--exclude-table=public.opsctl_schema_migrations', db.url],
    { encoding: 'utf8' },
  );
  return dump
    .split('\n')
    .filter((l) => !/^\\(un)?restrict /.test(l) && !l.startsWith('-- Dumped'))
    .join('\n');
}

test('MySQL corpus: mysqldump output, DELIMITER triggers and compound statements give the schema the mariadb client (or one dbmate query) gives', async () => {
  const ours = await createMysqlDatabase('opsctl_rw');
  const theirs = await createMysqlDatabase('opsctl_rw_ref');
  try {
    const ws = migrationWorkspace({ sakila: { engine: 'mysql', url: ours.url, pool } });
    for (const f of ['001_dump_schema.sql', '002_dump_triggers.sql', '003_compound_without_delimiter.sql'])
      ws.write('sakila', f, fixture(`mysql/${f}`));
    const ctx = ws.runtime();

    const check = await invoke(migrateValidate, ctx, {});
    assert.equal(check.targets[0]!.warnings, [], 'every statement of the corpus is placed');
    const up = await invoke(migrateUp, ctx, {});
    assert.equal(
      up.done.map((d) => [d.version, d.statements]),
      [
        ['001', 42],
        ['002', 10],
        ['003', 6],
      ],
    );

    // The reference: the mariadb client reads 001 and 002 (executable comments, DELIMITER); 003 has no DELIMITER, so,
    // as dbmate does, its section goes to the server as one multi-statement query.
    for (const f of ['001_dump_schema.sql', '002_dump_triggers.sql'])
      execFileSync('mariadb', mysqlArgs(theirs), { input: upSection(fixture(`mysql/${f}`)) });
    const conn = await mysql.createConnection({ uri: theirs.url, multipleStatements: true, flags: ['-IGNORE_SPACE'] });
    try {
      await conn.query(upSection(fixture('mysql/003_compound_without_delimiter.sql')));
    } finally {
      await conn.end();
    }
    assert.fixture(mysqlSchema(ours), mysqlSchema(theirs));

    // What the bodies do, not only that they exist: the executable-comment view, the triggers, the procedure.
    const c = await mysql.createConnection(ours.url);
    try {
      const [view] = await c.query('SELECT full_name FROM actor_names ORDER BY actor_id');
      assert.equal(
        (view as Array<{ full_name: string }>).map((r) => r.full_name),
        ['PENELOPE; GUINESS', 'NICK; WAHLBERG', "ED; CHASE; O'NEIL"],
      );
      await c.query("INSERT INTO film (title) VALUES ('ACADEMY DINOSAUR')");
      const [text] = await c.query('SELECT title FROM film_text');
      assert.equal(text, [{ title: 'ACADEMY DINOSAUR' }], 'the DELIMITER ;; trigger fires');
      const [payments] = await c.query('SELECT amount, band, note FROM payment ORDER BY payment_id');
      assert.equal(
        (payments as Array<{ band: string; note: string }>).map((p) => [p.band, p.note]),
        [
          ['low', 'paid; thanks'],
          ['mid', 'paid; thanks'],
          ['mid', 'paid; thanks'],
        ],
        'the procedure ran its loop and the trigger its CASE and IF',
      );
      const [[seq]] = (await c.query('SELECT NEXTVAL(ticket_seq) AS n')) as unknown as [[{ n: number }]];
      assert.is(Number(seq.n), 100, 'the /*M! … */ sequence exists');
    } finally {
      await c.end();
    }

    const down = await invoke(migrateDown, ctx, { steps: 3, confirm: true });
    assert.is(down.done.length, 3);
    assert.equal(mysqlSchema(ours).match(/CREATE TABLE/g), null, 'down removed everything');
  } finally {
    await ours.drop();
    await theirs.drop();
  }
});

test('PostgreSQL corpus: a pg_dump schema (search_path emptied, dollar-quoted and BEGIN ATOMIC bodies, E strings) gives the schema psql gives', async () => {
  const ours = await createPgDatabase('opsctl_rw');
  const theirs = await createPgDatabase('opsctl_rw_ref');
  try {
    const ws = migrationWorkspace({ pagila: { engine: 'postgres', url: ours.url, pool } });
    ws.write('pagila', '001_pg_dump_schema.sql', fixture('postgres/001_pg_dump_schema.sql'));
    const ctx = ws.runtime();
    const up = await invoke(migrateUp, ctx, {});
    assert.equal(
      up.done.map((d) => [d.version, d.statements]),
      [['001', 24]],
      "opsctl's own history write is not counted among the file's statements",
    );
    const rows = await pgQuery<{ version: string; status: string }>(
      ours.url,
      'SELECT version, status FROM public.opsctl_schema_migrations',
    );
    assert.equal(rows, [{ version: '001', status: 'applied' }]);

    execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', theirs.url], {
      input: upSection(fixture('postgres/001_pg_dump_schema.sql')),
    });
    assert.fixture(pgSchema(ours), pgSchema(theirs));
    const [label] = await pgQuery<{ a: string; b: string }>(
      ours.url,
      "SELECT public.rating_label('R') AS a, (SELECT column_default FROM information_schema.columns WHERE table_name = 'film' AND column_name = 'description') AS b",
    );
    assert.equal(label, { a: "restricted's; adults", b: "'it''s; a film'::text" });

    const status = await invoke(migrateStatus, ctx, {});
    assert.is(status.ok, true);
    await invoke(migrateDown, ctx, { confirm: true });
    assert.equal(await pgQuery(ours.url, "SELECT 1 FROM pg_proc WHERE proname = 'rating_label'"), []);
  } finally {
    await ours.drop();
    await theirs.drop();
  }
});

test('a migration that ran no statement stays pending (not dirty); one that ran some is dirty with the right count', async () => {
  const db = await createMysqlDatabase('opsctl_rw_dirty');
  try {
    const ws = migrationWorkspace({ reco: { engine: 'mysql', url: db.url, pool } });
    ws.write('reco', '001_broken.sql', '-- migrate:up\nCREATE TABLE t (x no_such_type);\nCREATE TABLE u (x INT);\n');
    const ctx = ws.runtime();
    const error = await rejects(invoke(migrateUp, ctx, {}), OperationFailed);
    assert.match(
      error.message,
      /failed at its first statement \(of 2\).*No statement of it ran, so 001_broken is still pending \(not dirty\)/,
    );
    assert.not.match(error.message, /1-0|\(none\)/);
    const st = await invoke(migrateStatus, ctx, {});
    assert.equal([st.targets[0]!.dirty, st.targets[0]!.pending.map((p) => p.version)], [null, ['001']]);

    ws.write('reco', '001_broken.sql', '-- migrate:up\nCREATE TABLE t (x INT);\nCREATE TABLE u (x no_such_type);\n');
    const second = await rejects(invoke(migrateUp, ws.runtime(), {}), OperationFailed);
    assert.match(
      second.message,
      /failed at statement 2 of 2: .*Statement 1 ran and is committed; 001_broken is marked dirty/,
    );
    const dirty = (await invoke(migrateStatus, ws.runtime(), {})).targets[0]!.dirty;
    assert.equal([dirty?.statementsDone, dirty?.failedStatement], [1, 2]);
  } finally {
    await db.drop();
  }
});

test('splitter: what it cannot place is a warning in validate, status and --dry-run, before anything runs', async () => {
  assert.equal(splitSql("SELECT E'it\\'s; x'; SELECT 'a\\'; SELECT 1;'", 'postgres').statements, [
    "SELECT E'it\\'s; x'",
    "SELECT 'a\\'",
    'SELECT 1',
    "'",
  ]);
  const open = splitSql('CREATE PROCEDURE p() BEGIN\n  SELECT 1;\n  IF 1 THEN SELECT 2; END IF;\n', 'mysql', 1);
  assert.equal(open.statements.length, 1);
  assert.match(open.warnings[0]!, /statement 1 \(line 2\): a BEGIN\/CASE\/IF block is not closed/);
  const stray = splitSql('DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; END\nDELIMITER ;\nSELECT 2;', 'mysql');
  assert.equal(stray.statements, ['CREATE PROCEDURE p() BEGIN SELECT 1; END', 'SELECT 2']);
  assert.match(
    stray.warnings[0]!,
    /line 3: "DELIMITER ;" inside statement 1: the statement before it does not end with "\/\/"/,
  );
  // Transactions are not blocks; MySQL's `--x` is not a comment; `# …` is.
  assert.equal(splitSql('BEGIN;\nSELECT 1--1;\n# x; y\nCOMMIT;', 'mysql').statements, [
    'BEGIN',
    'SELECT 1--1',
    '# x; y\nCOMMIT',
  ]);

  const db = await createPgDatabase('opsctl_rw_warn');
  try {
    const ws = migrationWorkspace({ app: { engine: 'postgres', url: db.url, pool } });
    ws.write('app', '001_open.sql', "-- migrate:up\nCREATE TABLE a (x int);\nINSERT INTO a VALUES (1), ('2);\n");
    const ctx = ws.runtime();
    const expected = /001_open \(migrate:up\): statement 2: the string opened on line 3 is never closed/;
    assert.match((await invoke(migrateValidate, ctx, {})).targets[0]!.warnings.join('\n'), expected);
    assert.match(((await invoke(migrateStatus, ctx, {})).targets[0]!.warnings ?? []).join('\n'), expected);
    const plan = await invoke(migrateUp, ctx, { dryRun: true });
    assert.match((plan.plan[0]!.warnings ?? []).join('\n'), /statement 2: the string opened on line 3/);
  } finally {
    await db.drop();
  }
});

test.run();
