import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { run, type InputFor, type OperationName } from '../commands/catalog.js';
import { createRuntime } from '../commands/runtime.js';
import { loadConfig } from '../src/config/load.js';
import { openTarget } from '../src/db/target.js';
import { silentLogger } from '../src/log/logger.js';
import { Redactor } from '../src/log/redact.js';
import { tempDir } from './helpers/tmp.js';

const FIXTURE = `
  CREATE SCHEMA sales;
  CREATE TABLE public.people (id int PRIMARY KEY, name text, photo bytea);
  INSERT INTO public.people VALUES (1, 'Zoë Ñúñez — 日本語 🎉', '\\x00ff10'), (2, NULL, NULL), (3, E'it''s', '\\x');
  CREATE TABLE sales.orders (id serial PRIMARY KEY, person int REFERENCES public.people(id), note text);
  INSERT INTO sales.orders (person, note) SELECT 1 + g % 3, CASE WHEN g % 5 = 0 THEN NULL ELSE 'n' || g END FROM generate_series(1, 120) g;
`;

test('PGlite: create (pglite-tools) → verify in an in-memory PGlite → restore into another PGlite target gives identical data', async () => {
  const dir = tempDir('opsctl-backup-pglite-');
  const file = { home: join(dir, 'home'), targets: { local: { engine: 'pglite' }, copy: { engine: 'pglite' } } };
  writeFileSync(join(dir, 'opsctl.config.json'), JSON.stringify(file));
  const loaded = loadConfig({ cwd: dir, env: {}, redactor: new Redactor(), fileConfig: file });
  const runtime = createRuntime({ loaded, log: silentLogger, trigger: 'cli' });
  const op = <N extends OperationName>(name: N, input: InputFor<N>) => run(name, runtime, input);
  const snapshot = async (name: string) => {
    const t = await openTarget(name, loaded.config.targets[name]!);
    try {
      return [
        await t.query("SELECT id, name, encode(photo, 'hex') AS photo FROM public.people ORDER BY id"),
        await t.query('SELECT id, person, note FROM sales.orders ORDER BY id'),
      ];
    } finally {
      await t.close();
    }
  };
  try {
    const source = await openTarget('local', loaded.config.targets.local!);
    await source.exec(FIXTURE);
    await source.close();
    const copy = await openTarget('copy', loaded.config.targets.copy!);
    await copy.exec('CREATE TABLE public.leftover (x int); INSERT INTO public.leftover VALUES (1)');
    await copy.close();

    const { backup } = await op('backup.create', { target: 'local' });
    assert.is(backup.engine, 'pglite');
    assert.is(backup.format, 'sql.gz');
    assert.is(statSync(backup.path).mode & 0o777, 0o600);
    assert.equal(backup.tables, [
      { table: 'public.people', rows: 3 },
      { table: 'sales.orders', rows: 120 },
    ]);

    const verified = await op('backup.verify', { backup: backup.id });
    assert.ok(verified.ok, JSON.stringify(verified.steps));
    assert.is(verified.scratch, 'in-memory PGlite');
    assert.is(verified.contentChecked, true, 'PGlite backups carry content checksums too');

    const restored = await op('backup.restore', { backup: backup.id, to: 'copy', confirm: true });
    assert.ok(restored.matchesManifest);
    assert.equal(
      restored.removed,
      [{ table: 'public.leftover', rows: 1 }],
      'PGlite restore replaces the whole database and says what went',
    );
    assert.equal(
      restored.created.map((t) => t.table),
      ['public.people', 'sales.orders'],
    );
    assert.equal(await snapshot('copy'), await snapshot('local'));

    // A tampered manifest count is caught by the drill.
    const manifestPath = `${backup.path}.manifest.json`;
    const m = JSON.parse(readFileSync(manifestPath, 'utf8'));
    m.tables[1].rows = 121;
    writeFileSync(manifestPath, JSON.stringify(m));
    await (await runtime.state()).run('UPDATE backups SET manifest = ? WHERE id = ?', [JSON.stringify(m), backup.id]);
    const bad = await op('backup.verify', { backup: backup.id });
    assert.is(bad.ok, false);
    assert.equal(bad.mismatches, [{ table: 'sales.orders', expected: 121, actual: 120 }]);
  } finally {
    await runtime.close();
  }
});

test.run();
