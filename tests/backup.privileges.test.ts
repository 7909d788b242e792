import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { run, type InputFor, type OperationName } from '../commands/catalog.js';
import { createRuntime } from '../commands/runtime.js';
import { loadConfig } from '../src/config/load.js';
import { silentLogger } from '../src/log/logger.js';
import { Redactor } from '../src/log/redact.js';
import { createPgDatabase, PG_ADMIN_URL, pgQuery, uniqueName } from './helpers/databases.js';
import { tempDir } from './helpers/tmp.js';

test('PostgreSQL restore keeps the GRANTs (a role the server lacks is a warning); --no-privileges leaves them out', async () => {
  const app = uniqueName('opsctl_app');
  const ghost = uniqueName('opsctl_ghost');
  const source = await createPgDatabase('opsctl_priv');
  const copy = await createPgDatabase('opsctl_priv');
  const bare = await createPgDatabase('opsctl_priv');
  await pgQuery(PG_ADMIN_URL, `CREATE ROLE ${app}; CREATE ROLE ${ghost}`);
  const dir = tempDir('opsctl-priv-');
  const file = {
    home: join(dir, 'home'),
    targets: {
      app: { engine: 'postgres', url: source.url },
      copy: { engine: 'postgres', url: copy.url },
      bare: { engine: 'postgres', url: bare.url },
    },
  };
  writeFileSync(join(dir, 'opsctl.config.json'), JSON.stringify(file));
  const runtime = createRuntime({
    loaded: loadConfig({ cwd: dir, env: {}, redactor: new Redactor(), fileConfig: file }),
    log: silentLogger,
    trigger: 'cli',
  });
  const op = <N extends OperationName>(name: N, input: InputFor<N>) => run(name, runtime, input);
  const canSelect = async (url: string) =>
    (await pgQuery<{ ok: boolean }>(url, `SELECT has_table_privilege('${app}', 'public.film', 'SELECT') AS ok`))[0]!.ok;
  try {
    await pgQuery(
      source.url,
      `CREATE TABLE public.film (id int PRIMARY KEY, title text); INSERT INTO public.film VALUES (1, 'x');
       GRANT SELECT ON public.film TO ${app}; GRANT INSERT ON public.film TO ${ghost}`,
    );
    const { backup } = await op('backup.create', { target: 'app' });
    // The role is gone by the time of the disaster recovery.
    await pgQuery(source.url, `REVOKE ALL ON public.film FROM ${ghost}`);
    await pgQuery(PG_ADMIN_URL, `DROP ROLE ${ghost}`);

    const restored = await op('backup.restore', { backup: backup.id, to: 'copy', confirm: true });
    assert.ok(restored.matchesManifest);
    assert.is(
      await canSelect(copy.url),
      true,
      'the application role can read after the restore, as after pg_restore --no-owner',
    );
    assert.is(restored.privileges.restored, true);
    assert.ok(restored.privileges.statements >= 2, JSON.stringify(restored.privileges));
    assert.is(restored.privileges.warnings.length, 1, JSON.stringify(restored.privileges.warnings));
    assert.match(
      restored.privileges.warnings[0]!,
      new RegExp(`GRANT INSERT ON TABLE public\\.film TO ${ghost}: skipped, role "${ghost}" does not exist`),
    );

    const without = await op('backup.restore', { backup: backup.id, to: 'bare', noPrivileges: true, confirm: true });
    assert.is(without.privileges.restored, false);
    assert.is(await canSelect(bare.url), false, '--no-privileges leaves the GRANTs out');
  } finally {
    await runtime.close().catch(() => undefined);
    for (const db of [source, copy, bare]) await db.drop().catch(() => undefined);
    await pgQuery(PG_ADMIN_URL, `DROP ROLE IF EXISTS ${app}; DROP ROLE IF EXISTS ${ghost}`).catch(() => undefined);
  }
});

test.run();
