import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { logExecution } from '../src/state/execution-log.js';
import { openStateStore } from '../src/state/open.js';
import { quarantine } from '../src/state/quarantine.js';
import { pruneState, stateStats, type StateRetentionPolicy } from '../src/state/retention.js';
import { latestExecutions, latestFinishedRuns, runCountsByStatus } from '../src/state/run-stats.js';
import { countRuns, finishRun, listRuns, startRun } from '../src/state/runs.js';
import type { StateStore } from '../src/state/store.js';
import { cliHome, runCli } from './helpers/cli.js';
import { stateEngines } from './helpers/state-engines.js';
import { tempDir } from './helpers/tmp.js';

const DAY = 86_400_000;
const NOW = new Date('2026-12-01T12:00:00Z');
const ago = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();
const POLICY: StateRetentionPolicy = {
  runs: 400,
  executionLog: 400,
  quarantine: 90,
  loadtestSamples: 90,
  meteredJobs: 400,
};

/** A finished run started `days` ago, with one execution-log row. */
async function oldRun(
  store: StateStore,
  pipeline: string,
  days: number,
  status: 'succeeded' | 'running' = 'succeeded',
) {
  const run = await startRun(store, { operation: 'etl.run', pipeline });
  if (status !== 'running') await finishRun(store, run.id, { status, error: null });
  await store.run('UPDATE runs SET started_at = ? WHERE id = ?', [ago(days), run.id]);
  await logExecution(store, {
    runId: run.id,
    pipeline,
    table: 't',
    status: 'ok',
    rowsExtracted: 1,
    rowsLoaded: 1,
    rowsRejected: 0,
    startedAt: ago(days),
  });
  return run.id;
}

for (const engine of stateEngines('opsctl_retention')) {
  const t = suite<{ store: StateStore }>(`state retention (${engine.name})`);
  t.before.each(async (ctx) => {
    ctx.store = await openStateStore(await engine.url());
  });
  t.after.each(async (ctx) => ctx.store.close());
  t.after(() => engine.cleanup());

  t('old rows go, running runs and the last run of each pipeline stay; a dry run only counts', async ({ store }) => {
    const a1 = await oldRun(store, 'a', 800);
    const a2 = await oldRun(store, 'a', 500);
    const a3 = await oldRun(store, 'a', 10);
    const b1 = await oldRun(store, 'b', 700); // b's only run: the last run of b, stays however old
    const a4 = await oldRun(store, 'a', 600, 'running'); // still running: stays
    await quarantine(store, [{ runId: a3, pipeline: 'a', table: 't', reason: 'bad', payload: { x: 1 } }]);
    await quarantine(store, [{ runId: a1, pipeline: 'a', table: 't', reason: 'old', payload: { x: 2 } }]);
    await store.run("UPDATE quarantine SET created_at = ? WHERE reason = 'old'", [ago(120)]);
    await store.run(
      "INSERT INTO costs_jobs (warehouse, created_at, operation, bytes_scanned, rows_read, query) VALUES ('duckdb', ?, 'etl.run', 1, 1, 'q'), ('duckdb', ?, 'etl.run', 1, 1, 'q')",
      [ago(450), ago(5)],
    );

    const dry = await pruneState(store, POLICY, { dryRun: true, now: NOW });
    const rows = (r: typeof dry, table: string) => r.counts.find((c) => c.table === table)!.rows;
    assert.is(rows(dry, 'runs'), 2, 'a1 and a2');
    assert.is(rows(dry, 'execution_log'), 2, "a1's and a2's log rows, counted once");
    assert.is(rows(dry, 'quarantine'), 1);
    assert.is(rows(dry, 'costs_jobs'), 1);
    assert.is(dry.protectedRuns, 2, 'b1 (last of b) and a4 (running)');
    assert.is((await listRuns(store)).length, 5, 'a dry run deletes nothing');

    const done = await pruneState(store, POLICY, { now: NOW });
    assert.equal(
      done.counts.map((c) => [c.table, c.rows]),
      dry.counts.map((c) => [c.table, c.rows]),
      'deletes what the dry run counted',
    );
    assert.equal(
      (await listRuns(store)).map((r) => r.id).sort((x, y) => x - y),
      [a3, b1, a4].sort((x, y) => x - y),
    );
    const logRuns = await store.query<{ run_id: number }>('SELECT run_id FROM execution_log ORDER BY run_id');
    assert.equal(
      logRuns.map((r) => Number(r.run_id)),
      [a3, b1, a4].sort((x, y) => x - y),
    );
    assert.equal((await store.query<{ n: number }>('SELECT count(*) AS n FROM costs_jobs'))[0]!.n.toString(), '1');
    assert.ok(a2 > a1);

    const again = await pruneState(store, POLICY, { now: NOW });
    assert.ok(
      again.counts.every((c) => c.rows === 0),
      'nothing left to prune',
    );
    const forever = await pruneState(
      store,
      { ...POLICY, runs: null, executionLog: null },
      { now: new Date(NOW.getTime() + 1000 * DAY) },
    );
    assert.is(forever.counts.find((c) => c.table === 'runs')!.cutoff, null);
    assert.is(forever.counts.find((c) => c.table === 'runs')!.rows, 0, 'null keeps runs forever');
  });

  t('more than one batch: 12,000 old runs of one pipeline leave only its last', async ({ store }) => {
    await store.run(
      engine.name === 'sqlite'
        ? `WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 12000)
           INSERT INTO runs (operation, pipeline, status, trigger, host, pid, started_at)
           SELECT 'etl.run', 'p', 'succeeded', 'cron', 'h', 1, ? FROM g`
        : `INSERT INTO runs (operation, pipeline, status, trigger, host, pid, started_at)
           SELECT 'etl.run', 'p', 'succeeded', 'cron', 'h', 1, ?::timestamptz FROM generate_series(1, 12000)`,
      [ago(500)],
    );
    const done = await pruneState(store, POLICY, { now: NOW });
    assert.is(done.counts.find((c) => c.table === 'runs')!.rows, 11_999);
    assert.is((await listRuns(store)).length, 1);
  });

  t(
    'counters kept on write agree with full counts through inserts, finishes, raw SQL and pruning',
    async ({ store }) => {
      await oldRun(store, 'a', 800);
      await oldRun(store, 'a', 700, 'running');
      const b = await oldRun(store, 'b', 3);
      await oldRun(store, 'b', 2);
      const c = await startRun(store, { operation: 'backup.create' }); // no pipeline
      await finishRun(store, c.id, { status: 'failed', error: 'x' });
      await store.run("UPDATE runs SET status = 'cancelled' WHERE id = ?", [b]);
      await pruneState(store, POLICY, { now: NOW });
      const full = await store.query<{ operation: string; status: string; n: number }>(
        'SELECT operation, status, COUNT(*) AS n FROM runs GROUP BY operation, status ORDER BY operation, status',
      );
      const counted = (await runCountsByStatus(store)).sort((x, y) =>
        `${x.operation} ${x.status}`.localeCompare(`${y.operation} ${y.status}`),
      );
      assert.equal(
        counted,
        full.map((r) => ({ ...r, n: Number(r.n) })),
      );
      assert.is(await countRuns(store, { pipelinesOnly: true }), 3, 'a (running), b (cancelled) and b (succeeded)');
      assert.is(await countRuns(store, { pipeline: 'b', status: 'succeeded' }), 1);
      const latest = await latestFinishedRuns<{ operation: string; pipeline: string | null; status: string }>(
        store,
        'r.operation, r.pipeline, r.status',
      );
      assert.equal(latest, [
        { operation: 'backup.create', pipeline: null, status: 'failed' },
        { operation: 'etl.run', pipeline: 'b', status: 'succeeded' },
      ]);
      const log = await latestExecutions<{ pipeline: string; run_id: number }>(store, 'e.pipeline, e.run_id');
      assert.equal(
        log.map((l) => [l.pipeline, Number(l.run_id)]),
        [
          ['a', (await listRuns(store, { pipeline: 'a' }))[0]!.id],
          ['b', (await listRuns(store, { pipeline: 'b' }))[0]!.id],
        ],
        'the newest execution of each table, after the old ones were pruned',
      );
    },
  );

  t('stats: rows, bytes and the oldest row per growing table, with its retention', async ({ store }) => {
    await oldRun(store, 'a', 30);
    const stats = await stateStats(store, POLICY);
    const runs = stats.find((s) => s.table === 'runs')!;
    assert.is(runs.rows, 1);
    assert.is(runs.oldest, ago(30));
    assert.ok(runs.bytes !== null && runs.bytes > 0, `bytes on disk: ${runs.bytes}`);
    assert.equal(runs.retention, { kind: 'runs', days: 400 });
    assert.equal(
      stats.map((s) => s.table),
      ['runs', 'execution_log', 'quarantine', 'loadtest_runs', 'costs_jobs'],
    );
  });

  t.run();
}

const cli = suite('state CLI');
cli('state stats --json and state prune: --dry-run counts, without --yes it refuses, --yes deletes', async () => {
  const home = tempDir();
  const env = cliHome(home);
  const store = await openStateStore(`sqlite:${join(home, 'state.db')}`);
  await oldRun(store, 'a', 900);
  await oldRun(store, 'a', 1);
  await store.close();

  const stats = await runCli(['state', 'stats', '--json'], { env });
  assert.is(stats.code, 0, stats.stderr);
  const runs = (JSON.parse(stats.stdout) as { tables: Array<{ table: string; rows: number }> }).tables[0]!;
  assert.equal([runs.table, runs.rows], ['runs', 2]);

  const dry = await runCli(['state', 'prune', '--dry-run', '--json'], { env });
  assert.is(dry.code, 0, dry.stderr);
  assert.is((JSON.parse(dry.stdout) as { counts: Array<{ rows: number }> }).counts[0]!.rows, 1);
  const refused = await runCli(['state', 'prune'], { env });
  assert.is(refused.code, 2, 'deleting without --yes (no terminal to ask) is refused');
  const done = await runCli(['state', 'prune', '--yes'], { env });
  assert.is(done.code, 0, done.stderr);
  assert.match(done.stdout, /runs\s+400 days\s+\S+\s+1/);
  const after = await runCli(['state', 'stats', '--json'], { env });
  assert.is((JSON.parse(after.stdout) as { tables: Array<{ rows: number }> }).tables[0]!.rows, 1);
});
cli.run();
