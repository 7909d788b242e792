// Issue 22 item 5: with no migration file at all in migrations.dir (a cron job whose directory resolved elsewhere),
// `migrate repair` refuses and says the directory looks wrong, instead of forgetting the whole history. Real PostgreSQL.
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, stderrText } from './helpers/cli.js';
import { createPgDatabase, pgQuery } from './helpers/databases.js';
import { migrationWorkspace } from './helpers/migrations.js';

test('migrate repair refuses when the migrations directory holds no migration file; the history stays', async () => {
  const db = await createPgDatabase('opsctl_repair_dir');
  try {
    const ws = migrationWorkspace({ app: { engine: 'postgres', url: db.url } });
    ws.write('app', '001_a.sql', '-- migrate:up\nCREATE TABLE a (x INT);\n-- migrate:down\nDROP TABLE a;');
    ws.write('app', '002_b.sql', '-- migrate:up\nCREATE TABLE b (x INT);\n-- migrate:down\nDROP TABLE b;');
    const up = await runCli(['migrate', 'up', 'app'], { cwd: ws.dir });
    assert.is(up.code, 0, up.stderr);
    // The files are elsewhere now: the directory opsctl reads is empty of migrations.
    renameSync(join(ws.dir, 'migrations'), join(ws.dir, 'moved'));
    for (const args of [
      ['migrate', 'repair', 'app', '--yes'],
      ['migrate', 'repair', 'app', '--dry-run'],
    ]) {
      const r = await runCli(args, { cwd: ws.dir });
      assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(stderrText(r.stderr), /no migration file at all in \S+migrations\/app.*the directory looks wrong/);
      assert.match(stderrText(r.stderr), /hint: Point migrations\.dir at the folder that holds the files/);
    }
    const rows = await pgQuery(db.url, 'SELECT count(*)::int AS n FROM opsctl_schema_migrations');
    assert.equal(rows, [{ n: 2 }], 'repair forgot nothing');
  } finally {
    await db.drop();
  }
});

test.run();
