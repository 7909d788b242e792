import { appendFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ValidateResult } from '../commands/validate/index.js';
import { runCli } from './helpers/cli.js';
import { createMysqlDatabase, createPgDatabase } from './helpers/databases.js';
import { migrationWorkspace, pool } from './helpers/migrations.js';

async function gate(dir: string) {
  const r = await runCli(['validate', '--json', '--only', 'migrations'], { cwd: dir });
  const result = JSON.parse(r.stdout) as ValidateResult;
  const byName = Object.fromEntries(result.checks.map((c) => [c.name, c]));
  return { code: r.code, result, byName, stderr: r.stderr };
}

test('validate migrations: passes when PostgreSQL and MariaDB are migrated; fails on pending, drift and a dirty MySQL migration', async () => {
  const pg = await createPgDatabase('opsctl_valmig');
  const my = await createMysqlDatabase('opsctl_valmig');
  try {
    const ws = migrationWorkspace({
      app: { engine: 'postgres', url: pg.url, pool },
      reco: { engine: 'mysql', url: my.url, pool },
    });
    const appFile = ws.write(
      'app',
      '001_invoices.sql',
      '-- migrate:up\nCREATE TABLE invoices (id INT PRIMARY KEY, organization_id INT, created_at TIMESTAMPTZ, deleted_at TIMESTAMPTZ);\nCREATE INDEX ix_invoices_org_deleted ON invoices (organization_id, deleted_at);\n-- migrate:down\nDROP TABLE invoices;',
    );
    ws.write(
      'reco',
      '001_reco.sql',
      '-- migrate:up\nCREATE TABLE recommendations (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, score DOUBLE NOT NULL);\n-- migrate:down\nDROP TABLE recommendations;',
    );

    const pending = await gate(ws.dir);
    assert.is(pending.code, 1);
    assert.is(pending.byName['migrations app']!.status, 'fail');
    assert.match(pending.byName['migrations app']!.reason, /^1 pending: 001_invoices$/);
    assert.match(pending.byName['migrations app']!.hint!, /opsctl migrate up app/);

    for (const t of ['app', 'reco']) assert.is((await runCli(['migrate', 'up', t], { cwd: ws.dir })).code, 0);
    const ok = await gate(ws.dir);
    assert.is(ok.code, 0, JSON.stringify(ok.result.checks));
    assert.match(ok.byName['migrations app']!.reason, /^1 applied, at 001; checksums match$/);
    assert.is(ok.byName['migrations reco']!.status, 'pass');

    appendFileSync(appFile, '\n-- edited after it ran\n');
    ws.write(
      'reco',
      '002_indexes.sql',
      '-- migrate:up\nCREATE INDEX idx_user ON recommendations (user_id);\nCREATE INDEX idx_score ON recommendations (score);\nCREATE INDEX idx_bad ON recommendations (missing_column);\n-- migrate:down\nDROP INDEX idx_score ON recommendations;\nDROP INDEX idx_user ON recommendations;',
    );
    assert.is((await runCli(['migrate', 'up', 'reco'], { cwd: ws.dir })).code, 1);
    const bad = await gate(ws.dir);
    assert.is(bad.code, 1);
    assert.match(
      bad.byName['migrations app']!.reason,
      /001_invoices changed after it was applied: .*001_invoices\.sql has checksum/,
    );
    assert.match(
      bad.byName['migrations reco']!.reason,
      /002_indexes is dirty: up stopped after 2 of 3 statements; statement 3 failed: .*missing_column/,
    );
    assert.match(bad.byName['migrations reco']!.hint!, /opsctl migrate repair reco --yes/);
  } finally {
    await pg.drop();
    await my.drop();
  }
});

test('validate migrations: an unreachable target fails with its reason', async () => {
  const ws = migrationWorkspace({ gone: { engine: 'mysql', url: 'mysql://root@127.0.0.1:1/x', pool } });
  const r = await gate(ws.dir);
  assert.is(r.code, 1);
  assert.match(r.byName['migrations gone']!.reason, /target "gone" .* is unreachable: connection refused/);
});

test.run();
