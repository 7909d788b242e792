import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../src/config/load.js';
import { createSpotifyExtractor } from '../src/spotify/index.js';
import { createSampleExtractor } from '../src/spotify/sample.js';
import { SPOTIFY_TABLES, SPOTIFY_TABLE_NAMES } from '../src/spotify/tables.js';
import type { SpotifyExtract, SpotifyExtractOptions } from '../src/spotify/types.js';
import type { ColumnDef } from '../src/warehouse/tables.js';
import { tempDir } from './helpers/tmp.js';

const LIMITS = { playlists: 20, tracksPerPlaylist: 100, recentlyPlayed: 50, topPerRange: 20 };
const NOW = Date.parse('2026-11-20T08:30:00Z');
const opts = (after: number | null = null): SpotifyExtractOptions => ({
  signal: new AbortController().signal,
  recentlyPlayedAfter: after,
  limits: LIMITS,
});

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
function typeProblem(column: ColumnDef, value: unknown): string | undefined {
  if (value === null || value === undefined) return column.required ? 'required but null' : undefined;
  switch (column.type) {
    case 'STRING':
      return typeof value === 'string' ? undefined : `not a string: ${JSON.stringify(value)}`;
    case 'INT64':
      return Number.isSafeInteger(value) ? undefined : `not an integer: ${JSON.stringify(value)}`;
    case 'FLOAT64':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : `not a number: ${JSON.stringify(value)}`;
    case 'BOOL':
      return typeof value === 'boolean' ? undefined : `not a boolean: ${JSON.stringify(value)}`;
    case 'TIMESTAMP':
      return typeof value === 'string' && ISO.test(value) && !Number.isNaN(Date.parse(value))
        ? undefined
        : `not an ISO timestamp: ${JSON.stringify(value)}`;
    case 'DATE':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)
        ? undefined
        : `not a date: ${JSON.stringify(value)}`;
    default:
      return `unknown type ${String(column.type)}`;
  }
}

function assertRowsMatchTables(extract: SpotifyExtract) {
  for (const name of SPOTIFY_TABLE_NAMES) {
    const def = SPOTIFY_TABLES[name];
    const columns = def.columns.map((c) => c.name);
    const keys = new Set<string>();
    for (const row of extract.tables[name]) {
      assert.equal(Object.keys(row), columns, `${name}: exactly the table's columns, in order`);
      for (const column of def.columns) {
        const problem = typeProblem(column, row[column.name]);
        assert.is(problem, undefined, `${name}.${column.name}: ${problem}`);
      }
      const key = JSON.stringify(def.key.map((k) => row[k]));
      assert.not.ok(keys.has(key), `${name}: duplicate key ${key}`);
      keys.add(key);
    }
  }
  for (const list of ['artist_ids'] as const)
    for (const row of extract.tables.tracks) assert.ok(Array.isArray(JSON.parse(row[list] as string)));
  for (const row of extract.tables.artists) assert.ok(Array.isArray(JSON.parse(row.genres as string)));
}

test('the sample source is deterministic for a seed and a clock', async () => {
  const a = await createSampleExtractor({ now: () => NOW })(opts());
  const b = await createSampleExtractor({ now: () => NOW })(opts());
  assert.equal(a, b);
  const c = await createSampleExtractor({ seed: 7, now: () => NOW })(opts());
  assert.not.equal(
    c.tables.tracks.map((t) => t.track_id),
    a.tables.tracks.map((t) => t.track_id),
  );
});

test('sample rows validate against tables.ts, with demo volume and a few quarantined records', async () => {
  const r = await createSampleExtractor({ now: () => NOW })(opts());
  assertRowsMatchTables(r);
  assert.is(r.tables.users.length, 1);
  assert.is(r.tables.playlists.length, 20, 'the library has 24: the limit holds');
  assert.ok(r.tables.playlist_tracks.length > 800, `${r.tables.playlist_tracks.length} playlist tracks`);
  assert.ok(r.tables.tracks.length > 500 && r.tables.artists.length > 100);
  assert.ok(r.tables.track_audio_features.length > 500);
  assert.is(r.tables.recently_played.length, 50);
  assert.is(r.tables.top_tracks.length, 60);
  assert.is(r.tables.top_artists.length, 60);
  assert.ok(
    r.tables.top_tracks.every(
      (row) => row.snapshot_date === '2026-11-20' && row.extracted_at === '2026-11-20T08:30:00.000Z',
    ),
  );
  assert.equal(r.rejected.map((x) => x.table).sort(), ['artists', 'playlist_tracks', 'track_audio_features', 'tracks']);
  for (const rejected of r.rejected) {
    assert.ok(rejected.reason.length > 5);
    assert.ok(rejected.payload !== undefined);
  }
  assert.match(r.rejected.find((x) => x.table === 'tracks')!.reason, /duration_ms/);
  assert.ok(r.apiCalls >= 30 && r.apiCalls < 50, `${r.apiCalls} calls`);
  assert.is(r.recentlyPlayedAfter, Math.max(...r.tables.recently_played.map((p) => Date.parse(p.played_at as string))));
});

test('successive sample runs find new plays after the cursor', async () => {
  const extract = createSampleExtractor({ now: () => NOW });
  const first = await extract(opts());
  const second = await extract(opts(first.recentlyPlayedAfter));
  assert.ok(second.tables.recently_played.length > 0, 'new plays after the cursor');
  assert.ok(second.tables.recently_played.every((p) => Date.parse(p.played_at as string) > first.recentlyPlayedAfter!));
  assert.ok(second.recentlyPlayedAfter! > first.recentlyPlayedAfter!);
  const firstKeys = new Set(first.tables.recently_played.map((p) => p.played_at));
  assert.ok(second.tables.recently_played.every((p) => !firstKeys.has(p.played_at)));
  assertRowsMatchTables(second);
});

test('createSpotifyExtractor: sample needs no credentials; api without them is a config error', async () => {
  const cwd = tempDir('opsctl-spotify-sample-');
  const { config } = loadConfig({ cwd, env: { OPSCTL_HOME: cwd } });
  const sample = await createSpotifyExtractor(config, 'sample', { now: () => NOW });
  assert.is((await sample(opts())).tables.playlists.length, 20);
  try {
    await createSpotifyExtractor(config, 'api');
    assert.unreachable();
  } catch (error) {
    assert.match((error as Error).message, /SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET, SPOTIFY_REFRESH_TOKEN/);
  }
});

test('a cancelled sample run stops', async () => {
  const controller = new AbortController();
  controller.abort();
  try {
    await createSampleExtractor({ now: () => NOW })({ ...opts(), signal: controller.signal });
    assert.unreachable();
  } catch (error) {
    assert.match((error as Error).message, /cancel/);
  }
});

test.run();
