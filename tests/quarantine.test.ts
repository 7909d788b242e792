import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { run, type InputFor, type OperationName } from '../commands/catalog.js';
import { createRuntime } from '../commands/runtime.js';
import { loadConfig } from '../src/config/load.js';
import { ConfirmationRequired, NotFoundError, UsageError } from '../src/errors.js';
import { silentLogger } from '../src/log/logger.js';
import { Redactor } from '../src/log/redact.js';
import { openStateStore } from '../src/state/open.js';
import { quarantine } from '../src/state/quarantine.js';
import type { StateStore } from '../src/state/store.js';
import { runCli } from './helpers/cli.js';
import { stateEngines } from './helpers/state-engines.js';
import { tempDir } from './helpers/tmp.js';

const DAY = 86_400_000;

/** Five records: spotify/tracks 1–2 (40 and 10 days old), spotify/plays 3 (2 days), pulso/events 4–5 (now). */
async function seed(store: StateStore): Promise<void> {
  const records = [
    { pipeline: 'spotify', table: 'tracks', reason: 'duration_ms: Expected number', payload: { id: 't1' }, age: 40 },
    { pipeline: 'spotify', table: 'tracks', reason: 'name: Required', payload: { id: 't2' }, age: 10 },
    { pipeline: 'spotify', table: 'plays', reason: 'played_at: NOT a date', payload: { at: 'x' }, age: 2 },
    { pipeline: 'pulso', table: 'events', reason: 'id: null key (100% bad)', payload: { id: null, n: 4 }, age: 0 },
    { pipeline: 'pulso', table: 'events', reason: 'id: null key', payload: 'raw line 5', age: 0 },
  ];
  for (const r of records) {
    await quarantine(store, [{ runId: 7, pipeline: r.pipeline, table: r.table, reason: r.reason, payload: r.payload }]);
    if (r.age)
      await store.run('UPDATE quarantine SET created_at = ? WHERE id = (SELECT MAX(id) FROM quarantine)', [
        new Date(Date.now() - r.age * DAY).toISOString(),
      ]);
  }
}

function workspace(stateUrl: string, extra: Record<string, unknown> = {}) {
  const dir = tempDir('opsctl-quarantine-');
  const file = { home: join(dir, 'home'), state: { url: stateUrl }, ...extra };
  writeFileSync(join(dir, 'opsctl.config.json'), JSON.stringify(file));
  const loaded = loadConfig({ cwd: dir, env: {}, redactor: new Redactor(), fileConfig: file });
  const runtime = createRuntime({ loaded, log: silentLogger, trigger: 'cli' });
  return {
    dir,
    runtime,
    op: <N extends OperationName>(name: N, input: InputFor<N>) => run(name, runtime, input),
  };
}

const ENGINES = stateEngines('opsctl_quarantine');

for (const engine of ENGINES) {
  test(`${engine.name}: list filters and pages newest first, show returns the payload, purge counts, asks and removes`, async () => {
    const url = await engine.url();
    const store = await openStateStore(url);
    const ws = workspace(url);
    const prod = workspace(url, { environment: 'production' });
    try {
      await seed(store);
      const all = await ws.op('quarantine.list', {});
      assert.equal(
        all.records.map((r) => r.id),
        [5, 4, 3, 2, 1],
      );
      assert.equal([all.total, all.nextBeforeId], [5, null]);
      assert.equal([all.records[0]!.payload, all.records[1]!.payload], ['raw line 5', { id: null, n: 4 }]);

      const page1 = await ws.op('quarantine.list', { limit: 2 });
      assert.equal([page1.records.map((r) => r.id), page1.total, page1.nextBeforeId], [[5, 4], 5, 4]);
      const page2 = await ws.op('quarantine.list', { limit: 2, beforeId: 4 });
      assert.equal([page2.records.map((r) => r.id), page2.nextBeforeId], [[3, 2], 2]);

      const tracks = await ws.op('quarantine.list', { pipeline: 'spotify', table: 'tracks' });
      assert.equal([tracks.records.map((r) => r.id), tracks.total], [[2, 1], 2]);
      // Any case; % and _ are literal, not wildcards.
      const byReason = await ws.op('quarantine.list', { reason: 'not A DATE' });
      assert.equal(
        byReason.records.map((r) => r.id),
        [3],
      );
      const percent = await ws.op('quarantine.list', { reason: '100%' });
      assert.equal(
        percent.records.map((r) => r.id),
        [4],
      );
      assert.is((await ws.op('quarantine.list', { reason: 'id_ null' })).total, 0);
      assert.is((await ws.op('quarantine.list', { run: 7 })).total, 5);

      const one = await ws.op('quarantine.show', { id: 4 });
      assert.equal([one.pipeline, one.table, one.runId, one.payload], ['pulso', 'events', 7, { id: null, n: 4 }]);
      try {
        await ws.op('quarantine.show', { id: 99 });
        assert.unreachable('a missing record is not found');
      } catch (error) {
        assert.instance(error, NotFoundError);
      }

      // Counting, then refusing without confirmation: nothing goes.
      const dry = await ws.op('quarantine.purge', { olderThan: '7d', dryRun: true });
      assert.equal(
        [dry.groups, dry.removed, dry.dryRun],
        [[{ pipeline: 'spotify', table: 'tracks', count: 2 }], 0, true],
      );
      try {
        await ws.op('quarantine.purge', { olderThan: '7d' });
        assert.unreachable('a purge asks first');
      } catch (error) {
        assert.instance(error, ConfirmationRequired);
        assert.match((error as Error).message, /delete 2 quarantined records \(spotify\/tracks 2\)/);
      }
      try {
        await ws.op('quarantine.purge', { olderThan: 'soon' });
        assert.unreachable('a bad age is a usage error');
      } catch (error) {
        assert.instance(error, UsageError);
        assert.match((error as Error).message, /--older-than "soon"/);
      }
      assert.is((await ws.op('quarantine.list', {})).total, 5);

      const old = await ws.op('quarantine.purge', { olderThan: '7d', confirm: true });
      assert.equal([old.removed, old.groups], [2, [{ pipeline: 'spotify', table: 'tracks', count: 2 }]]);
      assert.ok(old.cutoff !== null && old.cutoff < new Date(Date.now() - 6 * DAY).toISOString());

      // Production: --yes is not enough; the name to type is `quarantine`.
      try {
        await prod.op('quarantine.purge', { pipeline: 'pulso', confirm: true });
        assert.unreachable('production needs the typed name');
      } catch (error) {
        assert.instance(error, ConfirmationRequired);
        assert.is((error as ConfirmationRequired).typed, 'quarantine');
      }
      const pulso = await prod.op('quarantine.purge', { pipeline: 'pulso', confirmTarget: 'quarantine' });
      assert.equal([pulso.removed, pulso.groups], [2, [{ pipeline: 'pulso', table: 'events', count: 2 }]]);
      assert.equal(
        (await ws.op('quarantine.list', {})).records.map((r) => r.id),
        [3],
      );
      const none = await ws.op('quarantine.purge', { pipeline: 'pulso', confirm: true });
      assert.equal([none.removed, none.groups], [0, []]);
    } finally {
      await ws.runtime.close();
      await prod.runtime.close();
      await store.close();
    }
  });
}

test('CLI: list and show print the records, purge refuses in a script without --yes and prints what it removed', async () => {
  const dir = tempDir('opsctl-quarantine-cli-');
  writeFileSync(join(dir, 'opsctl.config.json'), JSON.stringify({ home: './home' }));
  const store = await openStateStore(`sqlite:${join(dir, 'home', 'state.db')}`);
  try {
    await seed(store);
  } finally {
    await store.close();
  }
  const list = await runCli(['quarantine', 'list', '--pipeline', 'spotify', '--limit', '2'], { cwd: dir });
  assert.is(list.code, 0, list.stderr);
  assert.match(list.stdout, /ID\s+PIPELINE\s+TABLE\s+RUN\s+AGE\s+REASON/);
  assert.match(list.stdout, /3\s+spotify\s+plays\s+7\s+2d ago\s+played_at: NOT a date/);
  assert.match(list.stdout, /2 of 3 shown; next page: --before 2/);

  const show = await runCli(['quarantine', 'show', '4'], { cwd: dir });
  assert.is(show.code, 0, show.stderr);
  assert.match(show.stdout, /reason\s+id: null key \(100% bad\)/);
  assert.match(show.stdout, /payload\n\{\n {2}"id": null,\n {2}"n": 4\n\}/);

  const refused = await runCli(['quarantine', 'purge', '--older-than', '7d'], { cwd: dir });
  assert.is(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /--yes/);

  const purged = await runCli(['quarantine', 'purge', '--older-than', '7d', '--yes'], { cwd: dir });
  assert.is(purged.code, 0, purged.stderr);
  assert.match(purged.stdout, /spotify\s+tracks\s+2/);
  assert.match(purged.stdout, /deleted 2 records \(quarantined before /);
});

test.after(async () => {
  for (const engine of ENGINES) await engine.cleanup();
});

test.run();
