import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { SyncCleanupResult } from '../commands/sync/cleanup.js';
import type { SyncRunResult } from '../commands/sync/run.js';
import type { SyncStatusResult } from '../commands/sync/status.js';
import { BIN } from './helpers/cli.js';
import { createPgDatabase, pgQuery, type TempDatabase } from './helpers/databases.js';
import { json, pgRows, syncWorkspace, type SyncWorkspace } from './helpers/sync.js';

/**
 * kill -9 at the worst moments (while COPY streams into staging, while the merge runs; on the bulk path into an empty
 * table, early and late in the COPY straight into it), then a rerun: the target must end exactly like the one an
 * uninterrupted run produced. And a second run while one holds the lock exits at once.
 * Twice: with `n` as VARCHAR in the warehouse (the per-row path checks it in JS) and as INTEGER (the bulk path: DuckDB
 * writes CSV into a pipe that the COPY reads).
 */
const ROWS = 100_000;
const seedWith = (nType: string) => `CREATE SCHEMA IF NOT EXISTS src;
CREATE OR REPLACE TABLE src.events AS
SELECT (DATE '2026-11-20' - CAST(i % 60 AS INTEGER))::DATE AS fecha, 'F' || (i // 60) AS archivo, CASE WHEN i % 2 = 0 THEN 'movil' ELSE 'hogar' END AS cartera,
  (i * 1.25)::DECIMAL(14,2) AS monto, CAST(i % 1000 AS ${nType}) AS n, md5(CAST(i AS VARCHAR)) AS nota
FROM range(0, ${ROWS}) t(i)`;

for (const [label, nType] of [
  ['row by row', 'VARCHAR'],
  ['bulk', 'INTEGER'],
] as const) {
  const test = suite(label);
  const seed = seedWith(nType);

  let clean: TempDatabase;
  let killed: TempDatabase;
  let wsClean: SyncWorkspace;
  let wsKilled: SyncWorkspace;
  test.before(async () => {
    clean = await createPgDatabase('opsctl_sync_ref');
    killed = await createPgDatabase('opsctl_sync_kill');
    wsClean = syncWorkspace({ engine: 'postgres', url: clean.url }, undefined, { batchSize: 5000 });
    wsKilled = syncWorkspace({ engine: 'postgres', url: killed.url }, undefined, { batchSize: 5000 });
    await wsClean.duck(seed);
    await wsKilled.duck(seed);
  });
  test.after(async () => {
    await clean.drop();
    await killed.drop();
  });

  function start(
    ws: SyncWorkspace,
    args: string[] = [],
  ): ChildProcess & { done: Promise<{ code: number | null; signal: string | null; stderr: string }> } {
    const child = spawn(process.execPath, [BIN, 'sync', 'run', '-q', ...args], {
      cwd: ws.dir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const done = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal, stderr })),
    );
    return Object.assign(child, { done });
  }

  /** Polls `check` (every 5 ms, up to a minute) until it says yes; no when the child exits first or time runs out. */
  async function waitFor(check: () => Promise<boolean>, child: { exitCode: number | null }): Promise<boolean> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && child.exitCode === null) {
      if (await check()) return true;
      await new Promise((r) => setTimeout(r, 5));
    }
    return false;
  }

  /** Waits until the target's server runs a statement of opsctl's matching `pattern` (what the child is doing now). */
  const waitForQuery = (url: string, database: string, pattern: RegExp, child: { exitCode: number | null }) =>
    waitFor(async () => {
      const rows = await pgQuery<{ query: string }>(
        url,
        "SELECT query FROM pg_stat_activity WHERE datname = $1 AND application_name = 'opsctl' AND state = 'active'",
        [database],
      );
      return rows.some((r) => pattern.test(r.query));
    }, child);

  /** Waits until one of opsctl's statements on the target waits for a lock. */
  const waitForLockWait = (url: string, database: string, child: { exitCode: number | null }) =>
    waitFor(async () => {
      const rows = await pgQuery(
        url,
        "SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name = 'opsctl' AND wait_event_type = 'Lock'",
        [database],
      );
      return rows.length > 0;
    }, child);

  /** Waits until a COPY into `table` has read more than `rows` rows (pg_stat_progress_copy). */
  const waitForCopyProgress = (url: string, table: string, rows: number, child: { exitCode: number | null }) =>
    waitFor(async () => {
      const [p] = await pgQuery<{ n: number }>(
        url,
        'SELECT max(tuples_processed)::int AS n FROM pg_stat_progress_copy WHERE relid = $1::regclass',
        [table],
      );
      return (p?.n ?? 0) > rows;
    }, child);

  test('a second run while one is in progress exits at once naming the holder', async () => {
    // The test locks the target table first, so the first run waits inside its transaction, holding the pipeline's
    // lock, for as long as the test needs: however fast the load and however slow the second process's start.
    const setup = await wsClean.cli(['sync', 'setup']);
    assert.is(setup.code, 0, setup.stderr);
    const blocker = new pg.Client({ connectionString: clean.url });
    await blocker.connect();
    let first: ReturnType<typeof start> | undefined;
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
      first = start(wsClean);
      assert.ok(await waitForLockWait(clean.url, clean.name, first), 'the first run waits on the locked table');
      const t0 = Date.now();
      const second = await wsClean.cli(['sync', 'run']);
      assert.is(second.code, 1, second.stderr);
      assert.match(second.stderr, new RegExp(`pipeline pulso is locked by pid ${first.pid} on `));
      assert.ok(Date.now() - t0 < 15_000, 'it does not wait for the first run');
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    const r = await first.done;
    assert.is(r.code, 0, r.stderr);
    assert.is((await pgRows(clean.url)).length, ROWS);
  });

  test('killed with SIGKILL while copying and while merging, a rerun ends with the same table as an uninterrupted run', async () => {
    const a = start(wsKilled);
    assert.ok(await waitForQuery(killed.url, killed.name, /^COPY/, a), 'caught copying');
    a.kill('SIGKILL');
    assert.is((await a.done).signal, 'SIGKILL');
    assert.is(
      (await pgQuery<{ n: number }>(killed.url, 'SELECT count(*)::int AS n FROM events'))[0]!.n,
      0,
      'nothing of the killed run is visible',
    );

    const b = start(wsKilled);
    // Row by row: the merge from staging. Bulk into an empty table there is no merge (the rows are COPYed straight into
    // it): the kill lands late in that COPY instead, once half the rows are in.
    const caught =
      label === 'bulk'
        ? await waitForCopyProgress(killed.url, 'events', ROWS / 2, b)
        : await waitForQuery(killed.url, killed.name, /^(WITH (src|up) AS|INSERT INTO "events")/, b);
    assert.ok(caught, label === 'bulk' ? 'caught half-way through the COPY into the table' : 'caught merging');
    b.kill('SIGKILL');
    assert.is((await b.done).signal, 'SIGKILL');
    assert.is(
      (await pgQuery<{ n: number }>(killed.url, 'SELECT count(*)::int AS n FROM events'))[0]!.n,
      0,
      'the merge was rolled back',
    );
    assert.equal(await pgQuery(killed.url, 'SELECT watermark FROM etl_watermarks'), [], 'no watermark committed');

    // The second run took over the first one's lock, which closed the first killed run as failed; the second killed
    // run is named orphaned until something closes it.
    const status = json<SyncStatusResult>(await wsKilled.cli(['sync', 'status', '--json']));
    assert.equal(
      status.orphanedRuns.map((r) => r.status),
      ['orphaned'],
    );
    assert.match(status.orphanedRuns[0]!.orphanReason!, new RegExp(`process ${b.pid} on .* exited without finishing`));
    const cleanup = await wsKilled.cli(['sync', 'cleanup', '--json']);
    assert.is(cleanup.code, 0, cleanup.stderr);
    const failed = json<SyncCleanupResult>(cleanup).failed;
    assert.equal(
      failed.map((r) => r.id),
      [status.orphanedRuns[0]!.id],
    );
    assert.match(failed[0]!.error!, /exited without finishing the run/);
    const history = json<{ runs: Array<{ status: string; error: string | null }> }>(
      await wsKilled.cli(['etl', 'history', '--json']),
    );
    assert.equal(
      history.runs.map((r) => r.status),
      ['failed', 'failed'],
      'both killed runs are failed',
    );
    assert.match(history.runs[1]!.error!, /exited without finishing the run; closed when sync\.run took over lock/);

    const rerun = await wsKilled.cli(['sync', 'run', '--json'], { timeoutMs: 300_000 });
    assert.is(rerun.code, 0, rerun.stderr);
    const reference = await pgRows(clean.url);
    const after = await pgRows(killed.url);
    assert.is(after.length, ROWS);
    assert.ok(after.join('\n') === reference.join('\n'), 'same rows, same values');
    assert.equal(
      await pgQuery(killed.url, 'SELECT watermark FROM etl_watermarks'),
      await pgQuery(clean.url, 'SELECT watermark FROM etl_watermarks'),
    );
    assert.is(json<SyncRunResult>(rerun).pipelines[0]!.tables[0]!.details!.path, nType === 'VARCHAR' ? 'rows' : 'bulk');
  });

  test.run();
}
