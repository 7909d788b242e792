import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isConfirmed, requireConfirmation } from '../commands/operation.js';
import { ConfirmationRequired, UsageError } from '../src/errors.js';
import { runCli, stderrText } from './helpers/cli.js';
import { createPgDatabase, pgQuery, type TempDatabase } from './helpers/databases.js';
import { tempDir } from './helpers/tmp.js';

let db: TempDatabase;
test.before(async () => {
  db = await createPgDatabase('opsctl_hard_confirm');
});
test.after(async () => {
  await db.drop().catch(() => undefined);
});

test('the rule: a production target needs its name; --yes alone never; a wrong name is a usage error', () => {
  const prod = { name: 'app', production: true };
  const dev = { name: 'app', production: false };
  assert.is(isConfirmed({ confirm: true }, prod), false);
  assert.is(isConfirmed({ confirmTarget: 'app' }, prod), true);
  assert.is(isConfirmed({ confirm: true }, dev), true);
  assert.is(isConfirmed({ confirmTarget: 'app' }, dev), true);
  assert.is(isConfirmed({}, dev), false);
  assert.throws(
    () => isConfirmed({ confirm: true, confirmTarget: 'ap' }, prod),
    (e: unknown) => e instanceof UsageError,
  );
  try {
    requireConfirmation({ confirm: true }, 'restore x into "app"', { target: prod });
    assert.unreachable();
  } catch (error) {
    assert.instance(error, ConfirmationRequired);
    assert.is((error as ConfirmationRequired).typed, 'app');
    assert.match((error as ConfirmationRequired).hint ?? '', '--confirm-target app');
  }
});

test('backup restore --yes on a production target is refused in scripts; --confirm-target NAME restores', async () => {
  await pgQuery(db.url, 'CREATE TABLE t (id int); INSERT INTO t VALUES (1)');
  const dir = tempDir('opsctl-hard-confirm-');
  writeFileSync(
    join(dir, 'opsctl.config.json'),
    JSON.stringify({
      home: join(dir, 'home'),
      backups: { dir: join(dir, 'backups') },
      targets: { app: { engine: 'postgres', url: db.url, production: true } },
    }),
  );
  const cli = (args: string[]) => runCli(args, { cwd: dir });
  const created = await cli(['backup', 'create', 'app']);
  assert.is(created.code, 0, created.stderr);
  await pgQuery(db.url, 'INSERT INTO t VALUES (2)');

  const yes = await cli(['backup', 'restore', 'app', '--yes']);
  assert.is(yes.code, 2, yes.stdout + yes.stderr);
  assert.match(yes.stderr, /--confirm-target app/);
  const wrong = await cli(['backup', 'restore', 'app', '--confirm-target', 'ap']);
  assert.is(wrong.code, 2);
  assert.match(stderrText(wrong.stderr), /--confirm-target "ap" does not name the target/);
  assert.equal(await pgQuery(db.url, 'SELECT id FROM t ORDER BY id'), [{ id: 1 }, { id: 2 }], 'nothing restored');

  const down = await cli(['migrate', 'down', 'app', '--yes']);
  assert.is(down.code, 2, down.stdout + down.stderr);
  assert.match(down.stderr, /--confirm-target app/);

  const named = await cli(['backup', 'restore', 'app', '--confirm-target', 'app']);
  assert.is(named.code, 0, named.stdout + named.stderr);
  assert.equal(await pgQuery(db.url, 'SELECT id FROM t ORDER BY id'), [{ id: 1 }]);
});

test.run();
