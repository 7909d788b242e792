import { spawnSync } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LockHeldError, StateVersionError } from '../src/errors.js';
import { redactor } from '../src/log/redact.js';
import { listExecutions, logExecution } from '../src/state/execution-log.js';
import { acquireLock, acquireLockOrThrow, listLocks, releaseLock, withLock } from '../src/state/locks.js';
import { migrateState } from '../src/state/migrate.js';
import { openStateStore } from '../src/state/open.js';
import { listQuarantine, quarantine } from '../src/state/quarantine.js';
import { countRuns, failOrphanedRuns, finishRun, getRun, listRuns, startRun } from '../src/state/runs.js';
import { STATE_MIGRATIONS } from '../src/state/schema/index.js';
import type { StateStore } from '../src/state/store.js';
import { deleteWatermark, getWatermark, listWatermarks, setWatermark } from '../src/state/watermarks.js';
import { currentProcess } from '../src/util/process.js';
import { stateEngines } from './helpers/state-engines.js';

/** A pid that provably does not run: a child that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

const engines = stateEngines('opsctl_state');

for (const engine of engines) {
  const t = suite<{ store: StateStore; url: string }>(`state store contract (${engine.name})`);
  t.before.each(async (ctx) => {
    ctx.url = await engine.url();
    ctx.store = await openStateStore(ctx.url);
  });
  t.after.each(async (ctx) => ctx.store.close());
  t.after(() => engine.cleanup());

  t('a run goes from running to finished with summary, duration and error', async ({ store }) => {
    const run = await startRun(store, { operation: 'etl.run', pipeline: 'spotify', trigger: 'cron' });
    assert.is(run.status, 'running');
    assert.is(run.pid, process.pid);
    assert.is(run.trigger, 'cron');
    await new Promise((r) => setTimeout(r, 5));
    const done = await finishRun(store, run.id, {
      status: 'failed',
      summary: { tables: { users: { loaded: 1 } } },
      error: 'boom',
    });
    assert.is(done.status, 'failed');
    assert.equal(done.summary, { tables: { users: { loaded: 1 } } });
    assert.is(done.error, 'boom');
    assert.ok((done.durationMs ?? -1) >= 0);
    assert.ok(done.finishedAt && done.finishedAt >= done.startedAt);
    assert.equal(await getRun(store, run.id), done);
  });

  t('runs list newest first, filter and page by id', async ({ store }) => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await startRun(store, { operation: i % 2 ? 'sync.run' : 'etl.run', pipeline: `p${i % 2}` })).id);
    const all = await listRuns(store);
    assert.equal(
      all.map((r) => r.id),
      [...ids].reverse(),
    );
    assert.equal(
      (await listRuns(store, { operation: 'sync.run' })).map((r) => r.id),
      [ids[3], ids[1]],
    );
    assert.equal(
      (await listRuns(store, { limit: 2, beforeId: ids[3] })).map((r) => r.id),
      [ids[2], ids[1]],
    );
    assert.is(await countRuns(store, { pipeline: 'p0' }), 3);
    assert.is(await countRuns(store, { status: 'running' }), 5);
  });

  t('secrets registered with the redactor never reach the store', async ({ store }) => {
    redactor.add('sekret-value-42');
    const run = await startRun(store, {
      operation: 'x',
      summary: { url: 'postgres://u:pw123@h/db', note: 'has sekret-value-42' },
    });
    const done = await finishRun(store, run.id, { status: 'failed', error: 'login with sekret-value-42 failed' });
    const raw = JSON.stringify(done);
    assert.not.match(raw, /sekret-value-42/);
    assert.not.match(raw, /pw123/);
  });

  t('watermarks: set, read, move, list, delete', async ({ store }) => {
    assert.is(await getWatermark(store, 'dash', 'dashboard_data'), undefined);
    await setWatermark(store, {
      pipeline: 'dash',
      table: 'dashboard_data',
      value: '2026-01-01',
      type: 'date',
      runId: 7,
    });
    await setWatermark(store, {
      pipeline: 'dash',
      table: 'evolution_data',
      value: '2026-01-02T00:00:00.000Z',
      type: 'timestamp',
    });
    const moved = await setWatermark(store, {
      pipeline: 'dash',
      table: 'dashboard_data',
      value: '2026-01-05',
      type: 'date',
      runId: 8,
    });
    assert.is(moved.value, '2026-01-05');
    assert.is(moved.runId, 8);
    assert.equal(
      (await listWatermarks(store, 'dash')).map((w) => w.table),
      ['dashboard_data', 'evolution_data'],
    );
    assert.ok(await deleteWatermark(store, 'dash', 'dashboard_data'));
    assert.not.ok(await deleteWatermark(store, 'dash', 'dashboard_data'));
    assert.is((await listWatermarks(store)).length, 1);
  });

  t('execution log rows record counts and watermark movement per table', async ({ store }) => {
    const run = await startRun(store, { operation: 'sync.run', pipeline: 'dash' });
    const started = new Date(Date.now() - 1500).toISOString();
    const entry = await logExecution(store, {
      runId: run.id,
      pipeline: 'dash',
      table: 'dashboard_data',
      status: 'succeeded',
      startedAt: started,
      finishedAt: new Date().toISOString(),
      rowsExtracted: 10,
      rowsLoaded: 9,
      rowsRejected: 1,
      watermarkBefore: '2026-01-01',
      watermarkAfter: '2026-01-03',
      details: { window: 7 },
    });
    assert.is(entry.rowsRejected, 1);
    assert.ok(entry.durationMs! >= 1400);
    const listed = await listExecutions(store, { runId: run.id });
    assert.equal(listed, [entry]);
    assert.equal(listed[0]!.details, { window: 7 });
  });

  t('quarantine keeps the reason and the raw payload', async ({ store }) => {
    await quarantine(store, [
      {
        runId: null,
        pipeline: 'spotify',
        table: 'tracks',
        reason: 'duration_ms: expected number',
        payload: { id: 't1', duration_ms: 'x' },
      },
    ]);
    const [row] = await listQuarantine(store, { table: 'tracks' });
    assert.is(row!.reason, 'duration_ms: expected number');
    assert.equal(row!.payload, { id: 't1', duration_ms: 'x' });
  });

  t('locks: one holder at a time, named in the refusal; released locks can be taken', async ({ store, url }) => {
    const first = await acquireLock(store, 'pipeline:spotify', { operation: 'etl.run', runId: 1 });
    assert.ok(first.acquired);
    // The same process re-acquiring is allowed (re-entrant), so simulate another live holder: pid 1 (init) on this host.
    await store.run('UPDATE locks SET pid = ?, process_start = NULL WHERE name = ?', [1, 'pipeline:spotify']);
    const second = await acquireLock(store, 'pipeline:spotify', { operation: 'etl.run' });
    assert.not.ok(second.acquired);
    if (!second.acquired) assert.is(second.holder.pid, 1);
    try {
      await acquireLockOrThrow(store, 'pipeline:spotify', { what: 'pipeline spotify' });
      assert.unreachable('should have thrown');
    } catch (error) {
      assert.instance(error, LockHeldError);
      assert.match((error as Error).message, /pipeline spotify is locked by pid 1 on .* \(etl\.run run 1\) since/);
    }
    await store.run('DELETE FROM locks WHERE name = ?', ['pipeline:spotify']);
    assert.ok((await acquireLock(store, 'pipeline:spotify')).acquired);
    await releaseLock(store, 'pipeline:spotify');
    assert.equal(await listLocks(store), []);
    void url;
  });

  t('a lock left by a dead process is taken over, and says from whom', async ({ store }) => {
    const me = currentProcess();
    const pid = deadPid();
    await store.run(
      'INSERT INTO locks (name, host, pid, process_start, operation, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ['sync:dashboard_data', me.host, pid, null, 'sync.run', new Date().toISOString(), new Date().toISOString()],
    );
    const result = await acquireLock(store, 'sync:dashboard_data');
    assert.ok(result.acquired);
    if (result.acquired) assert.is(result.tookOverFrom?.pid, pid);
  });

  t('a lock held from another host is taken over only after its heartbeat goes stale', async ({ store }) => {
    const old = new Date(Date.now() - 60_000).toISOString();
    await store.run(
      'INSERT INTO locks (name, host, pid, operation, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)',
      ['x', 'other-host', 4242, 'etl.run', old, old],
    );
    assert.not.ok((await acquireLock(store, 'x', { staleAfterMs: 120_000 })).acquired);
    assert.ok((await acquireLock(store, 'x', { staleAfterMs: 30_000 })).acquired);
  });

  t('withLock releases the lock when the work throws', async ({ store }) => {
    try {
      await withLock(store, 'w', { operation: 'test' }, async () => {
        throw new Error('work failed');
      });
    } catch (error) {
      assert.is((error as Error).message, 'work failed');
    }
    assert.equal(await listLocks(store), []);
  });

  t('runs left running by a dead process become failed with the reason', async ({ store }) => {
    const live = await startRun(store, { operation: 'sync.run' });
    const orphan = await startRun(store, { operation: 'sync.run' });
    await store.run('UPDATE runs SET pid = ?, process_start = NULL WHERE id = ?', [deadPid(), orphan.id]);
    const fixed = await failOrphanedRuns(store);
    assert.equal(
      fixed.map((r) => r.id),
      [orphan.id],
    );
    assert.match(fixed[0]!.error!, /exited without finishing the run/);
    assert.is((await getRun(store, live.id))!.status, 'running');
  });

  t(
    'migrating again is a no-op, and a store from a newer opsctl is refused with a clear message',
    async ({ store, url }) => {
      assert.equal((await migrateState(store, STATE_MIGRATIONS)).applied, []);
      await store.run('INSERT INTO schema_migrations (id, applied_at, opsctl_version) VALUES (?, ?, ?)', [
        'future/001_x',
        new Date().toISOString(),
        '9.9.9',
      ]);
      try {
        await openStateStore(url);
        assert.unreachable('should refuse');
      } catch (error) {
        assert.instance(error, StateVersionError);
        assert.match((error as Error).message, /written by a newer opsctl \(9\.9\.9\).*future\/001_x/);
        assert.match((error as StateVersionError).hint!, /Upgrade opsctl to 9\.9\.9/);
      }
    },
  );

  t.run();
}
