import { hostname } from 'node:os';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { etlHistory } from '../commands/etl/history.js';
import { etlRetention } from '../commands/etl/retention.js';
import { etlRun, type EtlRunResult } from '../commands/etl/run.js';
import { etlShow } from '../commands/etl/show.js';
import { toRunListItem } from '../commands/etl/summary.js';
import { invoke } from '../commands/operation.js';
import { listQuarantine } from '../src/state/quarantine.js';
import { finishRun, listRuns, startRun } from '../src/state/runs.js';
import { getWatermark } from '../src/state/watermarks.js';
import { openDuckdbWarehouse } from '../src/warehouse/duckdb.js';
import { etlWorkspace, fakeExtractor, handMadeExtract, useFakeSpotify, type EtlWorkspace } from './helpers/etl.js';

async function warehouseCounts(ws: EtlWorkspace): Promise<Record<string, number>> {
  const w = await openDuckdbWarehouse(ws.runtime.config.warehouse.duckdb.path);
  try {
    const tables = await w.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY table_name",
    );
    const out: Record<string, number> = {};
    for (const t of tables)
      out[t.table_name] = Number((await w.query<{ n: bigint }>(`SELECT count(*) AS n FROM "${t.table_name}"`))[0]!.n);
    return out;
  } finally {
    await w.close();
  }
}

const byTable = (r: EtlRunResult) =>
  Object.fromEntries(
    r.executions[0]!.outcome!.tables.map((t) => [t.table, [t.status, t.extracted, t.loaded, t.rejected]]),
  );

test('a run loads every table, quarantines the malformed record, marks audio features unavailable and keeps the cursor', async () => {
  const fake = fakeExtractor();
  useFakeSpotify(fake);
  const ws = etlWorkspace();
  try {
    const result = await invoke(etlRun, ws.runtime, {});
    assert.ok(result.ok, JSON.stringify(result.failures));
    assert.is(result.executions.length, 1);
    const e = result.executions[0]!;
    assert.is(e.status, 'succeeded');
    assert.equal(byTable(result), {
      users: ['ok', 1, 1, 0],
      playlists: ['ok', 1, 1, 0],
      tracks: ['ok', 3, 2, 1],
      track_audio_features: ['unavailable', 0, 0, 0],
      artists: ['ok', 1, 1, 0],
      playlist_tracks: ['ok', 2, 2, 0],
      recently_played: ['ok', 3, 3, 0],
      top_tracks: ['ok', 2, 2, 0],
      top_artists: ['ok', 1, 1, 0],
    });
    assert.ok(e.outcome!.notes.some((n) => /track_audio_features unavailable: Spotify answered 403/.test(n)));
    assert.ok(e.outcome!.notes.some((n) => /1 record failed validation and went to quarantine \(tracks 1\)/.test(n)));
    assert.is(e.run!.rowsLoaded, 13);
    assert.is(e.run!.rowsRejected, 1);
    assert.equal(e.run!.unavailable, ['track_audio_features']);
    assert.is(fake.calls[0]!.recentlyPlayedAfter, null, 'first run: no cursor');
    assert.equal(fake.calls[0]!.limits, { playlists: 20, tracksPerPlaylist: 100, recentlyPlayed: 50, topPerRange: 20 });

    const counts = await warehouseCounts(ws);
    assert.equal(
      counts,
      {
        artists: 1,
        playlist_tracks: 2,
        playlists: 1,
        recently_played: 3,
        top_artists: 1,
        top_tracks: 2,
        tracks: 2,
        users: 1,
      },
      'audio features table not created',
    );

    const store = await ws.runtime.state();
    const q = await listQuarantine(store, { runId: e.run!.id });
    assert.equal(
      q.map((r) => [r.pipeline, r.table, r.reason, r.payload]),
      [['spotify', 'tracks', 'name: expected string, received null', { id: 't3', name: null }]],
    );
    const cursor = await getWatermark(store, 'spotify', 'recently_played');
    assert.is(cursor?.value, String(Date.parse('2026-11-30T09:00:00Z')));
    assert.is(cursor?.runId, e.run!.id);

    const phases = ws.progress.map((p) => p.phase);
    for (const p of ['pipeline spotify', 'extract', 'extract profile', 'quarantine', 'load'])
      assert.ok(phases.includes(p), `phase ${p} reported`);

    const shown = await invoke(etlShow, ws.runtime, { run: e.run!.id });
    assert.is(shown.run.status, 'succeeded');
    assert.equal(shown.tables.map((t) => [t.table, t.status, t.loaded]).slice(0, 4), [
      ['users', 'ok', 1],
      ['playlists', 'ok', 1],
      ['tracks', 'ok', 2],
      ['track_audio_features', 'unavailable', 0],
    ]);
    assert.match(shown.tables[3]!.reason!, /403/);
    const rp = shown.tables.find((t) => t.table === 'recently_played')!;
    assert.equal([rp.watermarkBefore, rp.watermarkAfter], [null, cursor!.value]);
    assert.equal(shown.quarantinedByTable, { tracks: 1 });
    assert.is(shown.quarantined.length, 1);

    // DuckDB bills nothing, so its loads are metered for the cost report (priced at BigQuery's rates).
    const jobs = await store.query<{ operation: string; pipeline: string; rows_read: number; bytes_scanned: number }>(
      "SELECT operation, pipeline, rows_read, bytes_scanned FROM costs_jobs WHERE warehouse = 'duckdb'",
    );
    assert.ok(
      jobs.length > 0 && jobs.every((j) => j.operation === 'etl.run' && j.pipeline === 'spotify'),
      JSON.stringify(jobs),
    );
    assert.is(
      jobs.reduce((n, j) => n + Number(j.rows_read), 0),
      13,
      'every staged row metered once',
    );
    assert.ok(jobs.every((j) => Number(j.bytes_scanned) > 0));
  } finally {
    await ws.runtime.close();
  }
});

test('re-running the same extract changes nothing; the next run asks for plays after the cursor', async () => {
  const fake = fakeExtractor();
  useFakeSpotify(fake);
  const ws = etlWorkspace();
  try {
    await invoke(etlRun, ws.runtime, {});
    const before = await warehouseCounts(ws);
    // The same records extracted again an hour later: only extracted_at differs.
    const later = handMadeExtract();
    for (const rows of Object.values(later.tables))
      for (const row of rows) row.extracted_at = '2026-11-30T11:00:00.000Z';
    fake.next = later;
    const again = await invoke(etlRun, ws.runtime, { pipelines: ['spotify'] });
    assert.ok(again.ok);
    assert.ok(
      again.executions[0]!.outcome!.tables.every((t) => t.loaded === 0),
      'nothing inserted or updated',
    );
    assert.equal(await warehouseCounts(ws), before, 'no duplicates');
    assert.is(fake.calls[1]!.recentlyPlayedAfter, Date.parse('2026-11-30T09:00:00Z'));
    // A backup records its target in the same column; it is not a pipeline run.
    const backupRun = await startRun(await ws.runtime.state(), {
      operation: 'backup.create',
      pipeline: 'local',
      trigger: 'cli',
    });
    await finishRun(await ws.runtime.state(), backupRun.id, { status: 'succeeded' });
    const history = await invoke(etlHistory, ws.runtime, {});
    assert.equal(
      history.runs.map((r) => [r.pipeline, r.status, r.rowsLoaded]),
      [
        ['spotify', 'succeeded', 0],
        ['spotify', 'succeeded', 13],
      ],
    );
    assert.is(history.total, 2);
    const page = await invoke(etlHistory, ws.runtime, { limit: 1 });
    assert.is(page.runs.length, 1);
    assert.is(page.nextBeforeId, page.runs[0]!.id);
    const older = await invoke(etlHistory, ws.runtime, { limit: 1, beforeId: page.nextBeforeId! });
    assert.equal(
      older.runs.map((r) => r.rowsLoaded),
      [13],
    );
    assert.is(older.nextBeforeId, null);
  } finally {
    await ws.runtime.close();
  }
});

test('--dry-run extracts and validates but loads, quarantines and advances nothing', async () => {
  const fake = fakeExtractor();
  useFakeSpotify(fake);
  const ws = etlWorkspace();
  try {
    const result = await invoke(etlRun, ws.runtime, { dryRun: true });
    assert.ok(result.ok);
    assert.is(result.dryRun, true);
    assert.equal(byTable(result).tracks, ['skipped', 3, 0, 1]);
    assert.equal(byTable(result).track_audio_features, ['unavailable', 0, 0, 0]);
    assert.is(fake.calls.length, 1);
    const store = await ws.runtime.state();
    assert.equal(await listQuarantine(store), []);
    assert.is(await getWatermark(store, 'spotify', 'recently_played'), undefined);
    assert.equal(await warehouseCounts(ws).catch(() => ({})), {});
    const history = await invoke(etlHistory, ws.runtime, {});
    assert.is(history.runs[0]!.dryRun, true);
  } finally {
    await ws.runtime.close();
  }
});

test('a table that fails to load fails the run, keeps the counts of the tables before it, and leaves the cursor', async () => {
  const fake = fakeExtractor();
  useFakeSpotify(fake);
  const ws = etlWorkspace();
  try {
    await invoke(etlRun, ws.runtime, {});
    const good = handMadeExtract();
    good.tables.recently_played.push({
      user_id: 'u1',
      played_at: 'not a time',
      track_id: 't1',
      context_type: null,
      context_uri: null,
      extracted_at: good.tables.users[0]!.extracted_at,
    });
    good.recentlyPlayedAfter = Date.parse('2026-12-01T00:00:00Z');
    fake.next = good;
    const result = await invoke(etlRun, ws.runtime, {});
    assert.is(result.ok, false);
    assert.is(result.failures.length, 1);
    assert.match(
      result.failures[0]!,
      /^pipeline spotify failed \(run \d+\): spotify: loading recently_played failed: recently_played\.played_at: "not a time" is not a TIMESTAMP$/,
    );
    const store = await ws.runtime.state();
    assert.is(
      (await getWatermark(store, 'spotify', 'recently_played'))?.value,
      String(Date.parse('2026-11-30T09:00:00Z')),
      'cursor not advanced',
    );
    const shown = await invoke(etlShow, ws.runtime, { run: result.executions[0]!.run!.id });
    assert.is(shown.run.status, 'failed');
    assert.match(shown.run.error!, /loading recently_played failed/);
    assert.equal(
      shown.tables.map((t) => t.table),
      ['users', 'playlists', 'tracks', 'track_audio_features', 'artists', 'playlist_tracks', 'recently_played'],
    );
    assert.is(shown.tables.at(-1)!.status, 'failed');
  } finally {
    await ws.runtime.close();
  }
});

test('a pipeline locked by a live process is not started and named with host, pid and since; a dead holder is taken over', async () => {
  const fake = fakeExtractor();
  useFakeSpotify(fake);
  const ws = etlWorkspace();
  try {
    const store = await ws.runtime.state();
    const since = '2026-12-01T00:00:00.000Z';
    await store.run(
      'INSERT INTO locks (name, host, pid, process_start, operation, run_id, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ['pipeline:spotify', hostname(), process.ppid, null, 'etl.run', null, since, since],
    );
    const locked = await invoke(etlRun, ws.runtime, {});
    assert.is(locked.ok, false);
    assert.is(locked.executions[0]!.status, 'locked');
    assert.is(locked.executions[0]!.holder!.pid, process.ppid);
    assert.match(
      locked.failures[0]!,
      new RegExp(
        `pipeline spotify not started: pipeline spotify is locked by pid ${process.ppid} on ${hostname()} \\(etl\\.run\\) since ${since}`,
      ),
    );
    assert.is(fake.calls.length, 0, 'nothing extracted');

    // The holder dies (a pid that does not exist): its lock is taken over.
    await store.run('UPDATE locks SET pid = ? WHERE name = ?', [2 ** 22 + 12345, 'pipeline:spotify']);
    const next = await invoke(etlRun, ws.runtime, {});
    assert.ok(next.ok, JSON.stringify(next.failures));
    assert.is(fake.calls.length, 1);
    assert.equal(await store.query('SELECT * FROM locks'), [], 'released after the run');
  } finally {
    await ws.runtime.close();
  }
});

test('unknown pipelines and an empty config are usage errors; disabled pipelines are skipped', async () => {
  useFakeSpotify(fakeExtractor());
  const ws = etlWorkspace({ pipelines: { spotify: { kind: 'spotify', source: 'sample', enabled: false } } });
  try {
    try {
      await invoke(etlRun, ws.runtime, { pipelines: ['nope'] });
      assert.unreachable();
    } catch (error) {
      assert.match((error as Error).message, /unknown pipeline: nope/);
      assert.is((error as { exitCode: number }).exitCode, 2);
    }
    const r = await invoke(etlRun, ws.runtime, {});
    assert.equal(
      r.executions.map((e) => [e.pipeline, e.status]),
      [['spotify', 'skipped']],
    );
    assert.ok(r.ok);
  } finally {
    await ws.runtime.close();
  }
  const empty = etlWorkspace({ pipelines: {} });
  try {
    await invoke(etlRun, empty.runtime, {});
    assert.unreachable();
  } catch (error) {
    assert.match((error as Error).message, /no pipelines are configured/);
  } finally {
    await empty.runtime.close();
  }
});

test('a running run publishes its phase in the run record, for consoles in other processes', async () => {
  const fake = fakeExtractor();
  let seen: unknown;
  const ws = etlWorkspace();
  fake.next = async () => {
    for (let i = 0; i < 50 && !seen; i++) {
      const runs = await listRuns(await ws.runtime.state(), {});
      const item = runs[0] && toRunListItem(runs[0]);
      if (item?.progress) seen = [item.status, item.progress.phase, item.progress.note];
      else await new Promise((r) => setTimeout(r, 20));
    }
    return handMadeExtract();
  };
  useFakeSpotify(fake);
  try {
    await invoke(etlRun, ws.runtime, {});
    assert.equal(seen, ['running', 'extract', 'sample source']);
    const done = (await invoke(etlHistory, ws.runtime, {})).runs[0]!;
    assert.equal(
      [done.status, done.progress, done.rowsLoaded],
      ['succeeded', null, 13],
      'the final summary replaced the progress',
    );
  } finally {
    await ws.runtime.close();
  }
});

test('cancelling a run marks it cancelled and rethrows', async () => {
  const controller = new AbortController();
  const fake = fakeExtractor();
  fake.next = () => {
    controller.abort();
    return handMadeExtract();
  };
  useFakeSpotify(fake);
  const ws = etlWorkspace({}, { signal: controller.signal });
  try {
    await invoke(etlRun, ws.runtime, {}).then(
      (r) => assert.unreachable('cancelled ' + JSON.stringify(r)),
      (error) => assert.is((error as Error).name, 'CancelledError'),
    );
    const runs = await listRuns(await ws.runtime.state(), {});
    assert.equal(
      runs.map((r) => [r.pipeline, r.status]),
      [['spotify', 'cancelled']],
    );
    const counts: Record<string, number> = await warehouseCounts(ws).catch(() => ({}));
    assert.is(counts.users, undefined, 'nothing loaded');
  } finally {
    await ws.runtime.close();
  }
});

test('retention counts on a dry run, needs confirmation, then deletes old plays and top snapshots', async () => {
  useFakeSpotify(fakeExtractor());
  const ws = etlWorkspace();
  try {
    await invoke(etlRun, ws.runtime, {});
    const asOf = '2027-03-15T00:00:00Z'; // plays of 2026-11-30 are 105 days old
    const dry = await invoke(etlRetention, ws.runtime, { olderThan: '90d', dryRun: true, asOf });
    assert.equal(
      dry.tables.map((t) => [t.table, t.rows]),
      [
        ['recently_played', 3],
        ['top_tracks', 2],
        ['top_artists', 1],
      ],
    );
    assert.is(dry.total, 6);
    assert.is(dry.cutoff, '2026-12-15T00:00:00.000Z');
    try {
      await invoke(etlRetention, ws.runtime, { olderThan: '90d', asOf });
      assert.unreachable('confirmation required');
    } catch (error) {
      assert.is((error as Error).name, 'ConfirmationRequired');
      assert.match(
        (error as { action: string }).action,
        /delete 6 warehouse rows older than 90 days \(recently_played 3, top_tracks 2, top_artists 1\)/,
      );
    }
    assert.is((await warehouseCounts(ws)).recently_played, 3, 'nothing deleted without confirmation');
    const kept = await invoke(etlRetention, ws.runtime, { olderThan: '120d', confirm: true, asOf });
    assert.is(kept.total, 0);
    const done = await invoke(etlRetention, ws.runtime, { olderThan: '90d', confirm: true, asOf });
    assert.is(done.total, 6);
    assert.ok(done.runId);
    const counts = await warehouseCounts(ws);
    assert.equal([counts.recently_played, counts.top_tracks, counts.top_artists, counts.tracks], [0, 0, 0, 2]);
    try {
      await invoke(etlRetention, ws.runtime, { olderThan: '90 days' });
      assert.unreachable();
    } catch (error) {
      assert.match((error as Error).message, /--older-than "90 days": must be a number of days such as 90d/);
    }
  } finally {
    await ws.runtime.close();
  }
});

test.run();
