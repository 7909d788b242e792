import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SPOTIFY_TABLES } from '../src/spotify/tables.js';
import { openDuckdbWarehouse, type DuckdbWarehouse } from '../src/warehouse/duckdb.js';
import type { TableDef } from '../src/warehouse/tables.js';
import { tempDir } from './helpers/tmp.js';

const plays = SPOTIFY_TABLES.recently_played;
const play = (user: string, at: string, track: string, extractedAt = '2026-11-30T10:00:00Z') => ({
  user_id: user,
  played_at: at,
  track_id: track,
  context_type: 'playlist',
  context_uri: null,
  extracted_at: extractedAt,
});

async function open(): Promise<DuckdbWarehouse> {
  return openDuckdbWarehouse(join(tempDir('opsctl-etl-duck-'), 'w.duckdb'));
}

test('ensureTables creates the tables with DuckDB types and a primary key, and is idempotent', async () => {
  const w = await open();
  try {
    await w.ensureTables(Object.values(SPOTIFY_TABLES));
    await w.ensureTables(Object.values(SPOTIFY_TABLES));
    const cols = await w.query<{ column_name: string; data_type: string; is_nullable: string }>(
      "SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = 'top_tracks' ORDER BY ordinal_position",
    );
    assert.equal(
      cols.map((c) => [c.column_name, c.data_type]),
      [
        ['user_id', 'VARCHAR'],
        ['time_range', 'VARCHAR'],
        ['snapshot_date', 'DATE'],
        ['rank', 'BIGINT'],
        ['track_id', 'VARCHAR'],
        ['extracted_at', 'TIMESTAMP'],
      ],
    );
    const pk = await w.query<{ constraint_text: string }>(
      "SELECT constraint_text FROM duckdb_constraints() WHERE table_name = 'top_tracks' AND constraint_type = 'PRIMARY KEY'",
    );
    assert.match(pk[0]!.constraint_text, /PRIMARY KEY\(user_id, time_range, snapshot_date, rank\)/);
    const tables = await w.query<{ n: bigint }>(
      "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'main'",
    );
    assert.is(Number(tables[0]!.n), 9);
    // A newer definition with an extra column adds it to the existing table.
    const wider: TableDef = { ...plays, columns: [...plays.columns, { name: 'ms_played', type: 'INT64' }] };
    await w.ensureTables([wider]);
    const after = await w.query<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'recently_played'",
    );
    assert.ok(after.some((c) => c.column_name === 'ms_played'));
  } finally {
    await w.close();
  }
});

test('upsert inserts, updates changed rows only, resolves duplicate keys last-wins, and re-loading changes nothing', async () => {
  const w = await open();
  try {
    await w.ensureTables([plays]);
    const first = await w.upsert(plays, [
      play('u1', '2026-11-30T08:00:00.000Z', 't1'),
      play('u1', '2026-11-30T08:05:00.000Z', 't2'),
      play('u1', '2026-11-30T08:05:00.000Z', 't3'), // same key inside the batch: the last one wins
      play('u2', '2026-11-30T08:05:00.000Z', 't4'),
    ]);
    assert.equal(first, { inserted: 3, updated: 0 });
    const rows = await w.query<{ user_id: string; played_at: Date; track_id: string }>(
      'SELECT user_id, played_at, track_id FROM recently_played ORDER BY user_id, played_at',
    );
    assert.equal(
      rows.map((r) => [r.user_id, r.played_at.toISOString(), r.track_id]),
      [
        ['u1', '2026-11-30T08:00:00.000Z', 't1'],
        ['u1', '2026-11-30T08:05:00.000Z', 't3'],
        ['u2', '2026-11-30T08:05:00.000Z', 't4'],
      ],
    );

    const again = await w.upsert(plays, [
      play('u1', '2026-11-30T08:00:00Z', 't1'),
      play('u1', '2026-11-30T08:05:00Z', 't3'),
      play('u2', '2026-11-30T08:05:00Z', 't4'),
    ]);
    assert.equal(again, { inserted: 0, updated: 0 }, 'the same rows again: nothing changes');

    const reExtracted = await w.upsert(plays, [play('u1', '2026-11-30T08:00:00Z', 't1', '2026-12-01T00:00:00Z')]);
    assert.equal(reExtracted, { inserted: 0, updated: 1 }, 'extracted_at is a value like any other by default');
    const metadata = { ...plays, unchangedUnless: ['extracted_at'] };
    assert.equal(
      await w.upsert(metadata, [play('u1', '2026-11-30T08:00:00Z', 't1', '2026-12-02T00:00:00Z')]),
      { inserted: 0, updated: 0 },
      'unless declared load metadata',
    );
    const kept = await w.query<{ e: Date }>(
      "SELECT extracted_at AS e FROM recently_played WHERE user_id = 'u1' AND track_id = 't1'",
    );
    assert.is(kept[0]!.e.toISOString(), '2026-12-01T00:00:00.000Z', 'the row is left as it was');

    const changed = await w.upsert(plays, [
      play('u1', '2026-11-30T08:00:00Z', 't9'),
      play('u3', '2026-11-30T09:00:00Z', 't1'),
    ]);
    assert.equal(changed, { inserted: 1, updated: 1 });
    const n = await w.query<{ n: bigint }>('SELECT count(*) AS n FROM recently_played');
    assert.is(Number(n[0]!.n), 4);
    const t = await w.query<{ track_id: string }>(
      "SELECT track_id FROM recently_played WHERE user_id = 'u1' AND played_at = TIMESTAMP '2026-11-30 08:00:00'",
    );
    assert.is(t[0]!.track_id, 't9');
  } finally {
    await w.close();
  }
});

test('upsert converts each column type and refuses a value that does not fit, loading nothing of the batch', async () => {
  const w = await open();
  try {
    const tracks = SPOTIFY_TABLES.tracks;
    const top = SPOTIFY_TABLES.top_tracks;
    await w.ensureTables([tracks, top]);
    const base = {
      track_id: 'x',
      name: 'Song',
      album_id: 'a',
      album_name: 'Al',
      album_release_date: '2020',
      artist_ids: '["a1"]',
      duration_ms: 180000,
      explicit: false,
      popularity: 55,
      isrc: null,
      extracted_at: new Date('2026-11-30T10:00:00Z'),
    };
    assert.equal(await w.upsert(tracks, [base]), { inserted: 1, updated: 0 });
    await w.upsert(top, [
      {
        user_id: 'u',
        time_range: 'short_term',
        snapshot_date: '2026-11-30',
        rank: 1,
        track_id: 'x',
        extracted_at: '2026-11-30T10:00:00Z',
      },
    ]);
    const got = await w.query<Record<string, unknown>>('SELECT * FROM tracks');
    assert.is(got[0]!.duration_ms, 180000n);
    assert.is(got[0]!.explicit, false);
    assert.is((got[0]!.extracted_at as Date).toISOString(), '2026-11-30T10:00:00.000Z');
    const d = await w.query<{ d: string }>('SELECT CAST(snapshot_date AS VARCHAR) AS d FROM top_tracks');
    assert.is(d[0]!.d, '2026-11-30');
    try {
      await w.upsert(tracks, [
        { ...base, track_id: 'y' },
        { ...base, track_id: 'z', duration_ms: 'long' },
      ]);
      assert.unreachable('a bad INT64 must throw');
    } catch (error) {
      assert.match((error as Error).message, /tracks\.duration_ms: "long" is not a INT64/);
    }
    const n = await w.query<{ n: bigint }>('SELECT count(*) AS n FROM tracks');
    assert.is(Number(n[0]!.n), 1, 'nothing of the failed batch was merged');
  } finally {
    await w.close();
  }
});

test('upsert stages many rows through the appender in chunks and merges them once', async () => {
  const w = await open();
  try {
    await w.ensureTables([plays]);
    const base = Date.parse('2026-01-01T00:00:00Z');
    const rows = Array.from({ length: 10_000 }, (_, i) =>
      play(`u${i % 7}`, new Date(base + i * 1000).toISOString(), `t${i}`),
    );
    assert.equal(await w.upsert(plays, rows), { inserted: 10_000, updated: 0 });
    assert.equal(await w.upsert(plays, rows), { inserted: 0, updated: 0 });
    const n = await w.query<{ n: bigint }>('SELECT count(*) AS n FROM recently_played');
    assert.is(Number(n[0]!.n), 10_000);
  } finally {
    await w.close();
  }
});

test('upsert stops when cancelled, before merging anything', async () => {
  const w = await open();
  try {
    await w.ensureTables([plays]);
    const controller = new AbortController();
    controller.abort();
    try {
      await w.upsert(plays, [play('u1', '2026-11-30T08:00:00Z', 't1')], { signal: controller.signal });
      assert.unreachable('cancelled');
    } catch (error) {
      assert.is((error as Error).name, 'CancelledError');
    }
    const n = await w.query<{ n: bigint }>('SELECT count(*) AS n FROM recently_played');
    assert.is(Number(n[0]!.n), 0);
  } finally {
    await w.close();
  }
});

test('deleteOlderThan counts with dryRun and deletes by a TIMESTAMP or a DATE column', async () => {
  const w = await open();
  try {
    const top = SPOTIFY_TABLES.top_artists;
    assert.is(
      await w.deleteOlderThan(plays, 'played_at', new Date('2026-11-01T00:00:00Z'), { dryRun: true }),
      0,
      'no table yet: nothing to delete',
    );
    await w.ensureTables([plays, top]);
    await w.upsert(plays, [
      play('u', '2026-08-01T00:00:00Z', 'a'),
      play('u', '2026-10-31T23:59:59Z', 'b'),
      play('u', '2026-11-01T00:00:00Z', 'c'),
    ]);
    await w.upsert(top, [
      {
        user_id: 'u',
        time_range: 'long_term',
        snapshot_date: '2026-07-01',
        rank: 1,
        artist_id: 'a',
        extracted_at: '2026-07-01T00:00:00Z',
      },
      {
        user_id: 'u',
        time_range: 'long_term',
        snapshot_date: '2026-11-30',
        rank: 1,
        artist_id: 'a',
        extracted_at: '2026-11-30T00:00:00Z',
      },
    ]);
    const cutoff = new Date('2026-11-01T00:00:00Z');
    assert.is(await w.deleteOlderThan(plays, 'played_at', cutoff, { dryRun: true }), 2);
    assert.is(await w.deleteOlderThan(plays, 'played_at', cutoff), 2);
    assert.is(await w.deleteOlderThan(plays, 'played_at', cutoff), 0);
    assert.is(await w.deleteOlderThan(top, 'snapshot_date', cutoff), 1);
    const left = await w.query<{ track_id: string }>('SELECT track_id FROM recently_played');
    assert.equal(
      left.map((r) => r.track_id),
      ['c'],
    );
    try {
      await w.deleteOlderThan(plays, 'track_id', cutoff);
      assert.unreachable();
    } catch (error) {
      assert.match((error as Error).message, /not a TIMESTAMP or DATE column/);
    }
  } finally {
    await w.close();
  }
});

test.run();
