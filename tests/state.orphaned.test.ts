import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { toRunListItem } from '../commands/etl/summary.js';
import { formatRun } from '../src/bot/commands/runs.js';
import { BotMetrics } from '../src/bot/metrics.js';
import { acquireLock } from '../src/state/locks.js';
import { openStateStore } from '../src/state/open.js';
import { countRuns, getRun, listOpenRuns, listRuns, startRun } from '../src/state/runs.js';
import type { StateStore } from '../src/state/store.js';
import { ROOT } from './helpers/cli.js';
import { stateEngines } from './helpers/state-engines.js';

/**
 * A real holder: a separate process that starts a run of `operation` on `pipeline` and holds the pipeline's lock, then
 * is killed with SIGKILL, so its pid is provably dead (and its start time recorded).
 */
async function killedHolder(url: string, pipeline: string, operation: string): Promise<{ pid: number; runId: number }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'tests/helpers/lock-holder.ts'), url, pipeline, operation],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const runId = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      const m = /holding (\d+)/.exec(String(c));
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`holder exited ${code}`)));
  });
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  return { pid: child.pid!, runId };
}

for (const engine of stateEngines('opsctl_orphaned')) {
  const t = suite<{ store: StateStore; url: string }>(`orphaned runs (${engine.name})`);
  t.before.each(async (ctx) => {
    ctx.url = await engine.url();
    ctx.store = await openStateStore(ctx.url);
  });
  t.after.each(async (ctx) => ctx.store.close());
  t.after(() => engine.cleanup());

  t('a run whose process was killed reads as orphaned everywhere, and the next lock holder closes it', async (ctx) => {
    const { store } = ctx;
    const mine = await startRun(store, { operation: 'sync.run', pipeline: 'orders' });
    const { pid, runId } = await killedHolder(ctx.url, 'events', 'sync.run');

    const dead = (await getRun(store, runId))!;
    assert.is(dead.status, 'orphaned');
    assert.is(dead.orphanReason, `process ${pid} on ${hostname()} exited without finishing the run`);
    assert.is((await getRun(store, mine.id))!.status, 'running', 'a live run stays running');
    assert.equal(
      (await listRuns(store, { status: 'orphaned' })).map((r) => r.id),
      [runId],
    );
    assert.equal(
      (await listRuns(store, { status: 'running' })).map((r) => r.id),
      [mine.id],
    );
    assert.is(await countRuns(store, { status: 'orphaned' }), 1);
    assert.is(await countRuns(store, { status: 'running' }), 1);
    assert.equal(
      (await listOpenRuns(store)).map((r) => [r.id, r.status]),
      [
        [runId, 'orphaned'],
        [mine.id, 'running'],
      ].sort((a, b) => Number(b[0]) - Number(a[0])),
    );

    // The bot's run list and /metrics read the same model.
    assert.match(formatRun(toRunListItem(dead)), /orphaned/);
    assert.match(formatRun(toRunListItem(dead)), new RegExp(`process ${pid} on .* exited`));
    const metrics = new BotMetrics({ state: async () => store, version: 'test', inFlight: () => 0 });
    const text = await metrics.render();
    assert.match(text, /opsctl_runs\{operation="sync\.run",status="orphaned"\} 1/);
    assert.match(text, /opsctl_runs\{operation="sync\.run",status="running"\} 1/);

    // Another kind of run (a watermark change) takes over the lock: the dead holder's run ends failed, with why.
    const taken = await acquireLock(store, 'pipeline:events', { operation: 'watermarks.set' });
    assert.ok(taken.acquired);
    assert.is(taken.acquired && taken.tookOverFrom?.pid, pid);
    assert.equal(taken.acquired && taken.closedRuns?.map((r) => r.id), [runId]);
    const closed = (await getRun(store, runId))!;
    assert.is(closed.status, 'failed');
    assert.is(closed.orphanReason, null);
    assert.match(
      closed.error!,
      /exited without finishing the run; closed when watermarks\.set took over lock pipeline:events/,
    );
    assert.ok(closed.finishedAt && closed.durationMs !== null);
    assert.is(await countRuns(store, { status: 'orphaned' }), 0);
  });

  t('the next run of the same subject closes an orphan that held no lock (a killed backup verify)', async (ctx) => {
    const { store } = ctx;
    const { runId } = await killedHolder(ctx.url, 'app', 'backup.verify');
    assert.is((await getRun(store, runId))!.status, 'orphaned');
    const other = await killedHolder(ctx.url, 'billing', 'backup.verify');
    const next = await startRun(store, { operation: 'backup.create', pipeline: 'app' });
    assert.is(next.status, 'running');
    assert.is((await getRun(store, runId))!.status, 'failed');
    assert.is((await getRun(store, other.runId))!.status, 'orphaned', 'another subject is left to its own next run');
  });

  t('a run on another host is orphaned only once its heartbeat is stale', async ({ store }) => {
    const stale = await startRun(store, { operation: 'etl.run', pipeline: 'p1' });
    const fresh = await startRun(store, { operation: 'etl.run', pipeline: 'p2' });
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    await store.run('UPDATE runs SET host = ?, heartbeat_at = ? WHERE id = ?', ['elsewhere', hourAgo, stale.id]);
    await store.run('UPDATE runs SET host = ?, heartbeat_at = ? WHERE id = ?', [
      'elsewhere',
      new Date().toISOString(),
      fresh.id,
    ]);
    const s = (await getRun(store, stale.id))!;
    assert.is(s.status, 'orphaned');
    assert.match(s.orphanReason!, /^no heartbeat from elsewhere since /);
    assert.is((await getRun(store, fresh.id))!.status, 'running');
  });

  t.run();
}
