import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../src/config/load.js';
import { CancelledError, ConfigError } from '../src/errors.js';
import { SpotifyClient, type SpotifyClientOptions } from '../src/spotify/client.js';
import { extractSpotify } from '../src/spotify/extract.js';
import { SpotifyApiError } from '../src/spotify/http.js';
import { readStoredSpotifyToken, writeStoredSpotifyToken } from '../src/spotify/token-store.js';
import { createSpotifyExtractor } from '../src/spotify/index.js';
import type { SpotifyExtractOptions } from '../src/spotify/types.js';
import { makeLibrary, startSpotifyFake, type SpotifyFake, type SpotifyFakeOptions } from './fakes/spotify.js';
import { tempDir } from './helpers/tmp.js';

const LIMITS = { playlists: 20, tracksPerPlaylist: 100, recentlyPlayed: 50, topPerRange: 20 };
const fakes: SpotifyFake[] = [];
test.after.each(async () => {
  while (fakes.length) await fakes.pop()!.close();
});

async function fake(
  options: Partial<SpotifyFakeOptions> = {},
  spec: Parameters<typeof makeLibrary>[0] = { playlistSizes: [3, 0, 5], trackPool: 20, artistPool: 8 },
) {
  const f = await startSpotifyFake({ library: makeLibrary(spec), ...options });
  fakes.push(f);
  return f;
}

function client(f: SpotifyFake, extra: Partial<SpotifyClientOptions> = {}) {
  return new SpotifyClient({
    clientId: 'fake-client-id',
    clientSecret: 'fake-client-secret',
    refreshToken: 'fake-refresh-token',
    apiBaseUrl: f.url,
    accountsBaseUrl: f.url,
    retry: { baseDelayMs: 20, maxDelayMs: 200 },
    ...extra,
  });
}

const opts = (extra: Partial<SpotifyExtractOptions> = {}): SpotifyExtractOptions => ({
  signal: new AbortController().signal,
  recentlyPlayedAfter: null,
  limits: LIMITS,
  ...extra,
});
const paths = (f: SpotifyFake) =>
  f.requests.map(
    (r) => `${r.status} ${r.path}${r.query.offset ? `@${r.query.offset}` : ''}${r.grantType ? ` ${r.grantType}` : ''}`,
  );

test('a full extraction follows `next` links up to the limits, one token, each page once', async () => {
  const f = await fake(
    {},
    { playlistSizes: [...Array(60).keys()].map((i) => (i === 0 ? 230 : i % 4)), trackPool: 400, artistPool: 120 },
  );
  const c = client(f);
  const r = await extractSpotify(c, opts({ limits: { ...LIMITS, playlists: 55, tracksPerPlaylist: 210 } }));
  assert.is(r.tables.playlists.length, 55);
  const pl = f.requests.filter((q) => q.path === '/v1/me/playlists');
  assert.equal(
    pl.map((q) => [q.query.offset, q.query.limit]),
    [
      ['0', '50'],
      ['50', '50'],
    ],
    'the second page through the `next` link',
  );
  const first = f.requests.filter((q) => q.path === '/v1/playlists/pl0000000/items');
  assert.equal(
    first.map((q) => [q.query.offset, q.query.limit, q.status]),
    [
      ['0', '50', 200],
      ['50', '50', 200],
      ['100', '50', 200],
      ['150', '50', 200],
      ['200', '50', 200],
    ],
    '230 items, 210 wanted: five pages of 50, the most /items documents (the fake answers 400 "Invalid limit" above)',
  );
  assert.is(r.tables.playlist_tracks.filter((row) => row.playlist_id === 'pl0000000').length, 210);
  assert.equal(
    r.tables.playlist_tracks
      .filter((row) => row.playlist_id === 'pl0000000')
      .map((row) => row.position)
      .slice(205),
    [205, 206, 207, 208, 209],
  );
  const empty = f.requests.filter((q) => /\/v1\/playlists\/pl0000(004|008)\/items/.test(q.path));
  assert.is(empty.length, 0, 'playlists with no tracks cost no call');
  assert.is(f.requests.filter((q) => q.grantType === 'refresh_token').length, 1);
  assert.is(r.apiCalls, f.apiRequests().length, 'apiCalls is what the fake saw');
  const af = f.requests.filter((q) => q.path === '/v1/audio-features');
  assert.ok(af.every((q) => q.query.ids!.split(',').length <= 100));
  assert.is(af.length, Math.ceil(r.tables.tracks.length / 100));
  assert.is(r.tables.track_audio_features.length, r.tables.tracks.length);
  assert.is(r.rejected.length, 0);
});

test('429 waits Retry-After seconds before the retry, as the fake sees it', async () => {
  const f = await fake();
  f.script('/v1/me/playlists', [{ status: 429, headers: { 'Retry-After': '1' } }]);
  const c = client(f);
  const r = await extractSpotify(c, opts());
  const pl = f.requests.filter((q) => q.path === '/v1/me/playlists');
  assert.equal(
    pl.map((q) => q.status),
    [429, 200],
  );
  assert.ok(pl[1]!.at - pl[0]!.at >= 1000, `retried after ${pl[1]!.at - pl[0]!.at} ms, Retry-After said 1 s`);
  assert.is(r.apiCalls, f.apiRequests().length, 'the retry counts as a call');
});

test('429 past the retries fails with the status; a Retry-After too long to sit out fails at once', async () => {
  const f = await fake();
  f.script(
    '/v1/me',
    Array.from({ length: 5 }, () => ({ status: 429, headers: { 'Retry-After': '0' } })),
  );
  try {
    await client(f).get('/v1/me', {}, new AbortController().signal);
    assert.unreachable();
  } catch (error) {
    assert.is((error as SpotifyApiError).status, 429);
    assert.match((error as Error).message, /HTTP 429/);
  }
  assert.is(f.apiRequests().length, 4, 'one attempt and three retries');

  const g = await fake();
  g.script('/v1/me', [{ status: 429, headers: { 'Retry-After': '3600' } }]);
  try {
    await client(g).get('/v1/me', {}, new AbortController().signal);
    assert.unreachable();
  } catch (error) {
    assert.match((error as Error).message, /asks to wait 3600 s/);
    assert.match((error as SpotifyApiError).hint ?? '', /run again later/);
  }
  assert.is(g.apiRequests().length, 1);
});

test('5xx and dropped connections are retried with backoff, at most 3 retries', async () => {
  const f = await fake();
  f.script('/v1/audio-features', [{ status: 500 }, 'drop', { status: 503 }]);
  const r = await extractSpotify(client(f), opts());
  assert.equal(
    f.requests.filter((q) => q.path === '/v1/audio-features').map((q) => q.status),
    [500, 0, 503, 200],
  );
  assert.is(r.tables.track_audio_features.length, r.tables.tracks.length);

  const g = await fake();
  g.script('/v1/me', [{ status: 502 }, { status: 502 }, { status: 502 }, { status: 502 }, { status: 502 }]);
  const c = client(g);
  try {
    await c.get('/v1/me', {}, new AbortController().signal);
    assert.unreachable('should fail');
  } catch (error) {
    assert.instance(error, SpotifyApiError);
    assert.is((error as SpotifyApiError).status, 502);
  }
  assert.is(g.apiRequests().length, 4, 'one attempt and three retries, no more');
  const at = g.apiRequests().map((q) => q.at);
  assert.ok(
    at[3]! - at[2]! >= 80 && at[2]! - at[1]! >= 40,
    `backoff grows: ${at.map((t) => t - at[0]!).join(', ')} ms`,
  );
});

test('an expired access token: 401, one refresh, the call goes through', async () => {
  const f = await fake();
  const c = client(f);
  const signal = new AbortController().signal;
  await c.get('/v1/me', {}, signal);
  f.expireAccessTokens();
  const me = (await c.get('/v1/me', {}, signal)) as { id: string };
  assert.is(me.id, 'listener');
  assert.equal(paths(f), [
    '200 /api/token refresh_token',
    '200 /v1/me',
    '401 /v1/me',
    '200 /api/token refresh_token',
    '200 /v1/me',
  ]);
  assert.is.not(f.requests[4]!.token, f.requests[2]!.token, 'the retry carries the new token');
});

test('the access token is refreshed before it expires, without a 401', async () => {
  const f = await fake();
  let now = Date.now();
  const c = client(f, { now: () => now });
  const signal = new AbortController().signal;
  await c.get('/v1/me', {}, signal);
  await c.get('/v1/me', {}, signal);
  now += 3_560_000; // 40 s before the hour-long token expires
  await c.get('/v1/me', {}, signal);
  assert.equal(paths(f), [
    '200 /api/token refresh_token',
    '200 /v1/me',
    '200 /v1/me',
    '200 /api/token refresh_token',
    '200 /v1/me',
  ]);
});

test('a rotated refresh token is handed back to be stored', async () => {
  const f = await fake({ rotateRefreshToken: true });
  const seen: string[] = [];
  await client(f, { onRefreshToken: (t) => seen.push(t) }).get('/v1/me', {}, new AbortController().signal);
  assert.is(seen.length, 1);
  assert.ok(f.refreshTokens.has(seen[0]!));
});

test('a rotated refresh token replaces the stored one when that is where it came from', async () => {
  const f = await fake({ rotateRefreshToken: true });
  const home = tempDir('opsctl-spotify-rotate-');
  writeStoredSpotifyToken(home, { refreshToken: 'fake-refresh-token', userId: 'listener' });
  const env = {
    OPSCTL_HOME: home,
    SPOTIFY_CLIENT_ID: 'fake-client-id',
    SPOTIFY_CLIENT_SECRET: 'fake-client-secret',
    SPOTIFY_API_BASE_URL: f.url,
    SPOTIFY_ACCOUNTS_BASE_URL: f.url,
  };
  const extract = await createSpotifyExtractor(loadConfig({ cwd: home, env }).config, 'api');
  await extract(opts({ limits: { ...LIMITS, playlists: 1 } }));
  await extract(opts({ limits: { ...LIMITS, playlists: 1 } })); // the second run refreshes with the rotated token
  assert.equal(
    f.requests.filter((q) => q.grantType).map((q) => q.status),
    [200, 200],
  );
  const stored = readStoredSpotifyToken(home)!;
  assert.is.not(stored.refreshToken, 'fake-refresh-token');
  assert.ok(f.refreshTokens.has(stored.refreshToken), 'the stored token is the one the fake now accepts');
  assert.is(stored.userId, 'listener');
});

test('a refused refresh token is a config error that says to log in again', async () => {
  const f = await fake();
  try {
    await client(f, { refreshToken: 'revoked' }).get('/v1/me', {}, new AbortController().signal);
    assert.unreachable();
  } catch (error) {
    assert.instance(error, ConfigError);
    assert.match((error as ConfigError).message, /invalid_grant/);
    assert.match((error as ConfigError).hint ?? '', /opsctl spotify login/);
  }
});

test('403 on audio features: the table is unavailable with the reason, the run goes on', async () => {
  const f = await fake({ audioFeaturesForbidden: true });
  const r = await extractSpotify(client(f), opts());
  assert.is(r.tables.track_audio_features.length, 0);
  assert.is(r.unavailable.length, 1);
  assert.is(r.unavailable[0]!.table, 'track_audio_features');
  assert.match(r.unavailable[0]!.reason, /403/);
  assert.is(f.requests.filter((q) => q.path === '/v1/audio-features').length, 1, 'a 403 is not retried');
  assert.ok(r.tables.artists.length > 0 && r.tables.top_tracks.length > 0, 'later phases still ran');
});

test("a development-mode app after February 2026: /items, `item` entries, one artist a call, others' playlists set aside", async () => {
  const f = await fake(
    { developmentMode: true },
    { playlistSizes: [4, 3, 5], trackPool: 12, artistPool: 30, foreignPlaylists: [1], top: 2 },
  );
  const r = await extractSpotify(client(f), opts());
  assert.equal(r.tables.users[0], {
    user_id: 'listener',
    display_name: 'A Listener',
    email: null,
    country: null,
    product: null,
    followers: null,
    extracted_at: r.tables.users[0]!.extracted_at,
  });
  assert.is(r.tables.playlists.length, 3);
  assert.equal(
    r.tables.playlists.map((p) => p.tracks_total),
    [4, 3, 5],
    'the total from `items`',
  );
  assert.is(r.tables.playlist_tracks.length, 9, 'the two playlists the user owns');
  const refused = r.rejected.filter((x) => x.table === 'playlist_tracks');
  assert.is(refused.length, 1);
  assert.match(refused[0]!.reason, /playlist pl0000001: .*403.*owns or collaborates/);
  assert.is((refused[0]!.payload as { id: string }).id, 'pl0000001');
  assert.is(r.unavailable.map((u) => u.table).join(), 'track_audio_features');
  const batch = f.requests.filter((q) => q.path === '/v1/artists');
  const single = f.requests.filter((q) => q.path.startsWith('/v1/artists/'));
  assert.equal(
    batch.map((q) => q.status),
    [403],
    'the batch is tried once',
  );
  assert.ok(single.length > 0 && single.every((q) => q.status === 200));
  const expectedArtists = new Set(r.tables.tracks.flatMap((t) => JSON.parse(t.artist_ids as string) as string[]));
  for (const a of r.tables.top_artists) expectedArtists.add(a.artist_id as string);
  assert.is(r.tables.artists.length, expectedArtists.size, 'every artist, without popularity and followers');
  assert.ok(
    r.tables.artists
      .filter((a) => single.some((q) => q.path.endsWith(a.artist_id as string)))
      .every((a) => a.popularity === null && a.followers === null),
  );
  assert.is(
    f.requests.filter((q) => /^\/v1\/playlists\/[^/]+\/tracks$/.test(q.path)).length,
    0,
    'the removed /tracks endpoint is not used',
  );
  assert.is(r.rejected.length, 1);
});

test('recently played: the last 50, then only what came after the cursor', async () => {
  const f = await fake(
    {},
    { playlistSizes: [1], trackPool: 5, artistPool: 2, plays: 80, playsEndAt: Date.parse('2026-11-30T12:00:00Z') },
  );
  const first = await extractSpotify(client(f), opts());
  assert.is(first.tables.recently_played.length, 50);
  assert.is(first.recentlyPlayedAfter, Date.parse('2026-11-30T12:00:00Z'));
  const cursor = Date.parse('2026-11-30T11:00:00Z');
  const second = await extractSpotify(client(f), opts({ recentlyPlayedAfter: cursor }));
  const rp = f.requests.filter((q) => q.path === '/v1/me/player/recently-played');
  assert.equal(
    rp.map((q) => q.query.after),
    [undefined, String(cursor)],
  );
  assert.is(second.tables.recently_played.length, 20, 'plays every 3 minutes: 20 in the hour after the cursor');
  assert.ok(second.tables.recently_played.every((row) => Date.parse(row.played_at as string) > cursor));
  const none = await extractSpotify(client(f), opts({ recentlyPlayedAfter: second.recentlyPlayedAfter }));
  assert.is(none.tables.recently_played.length, 0);
  assert.is(none.recentlyPlayedAfter, second.recentlyPlayedAfter, 'no new plays: the cursor stays');
});

test('cancelling during a Retry-After wait stops at once, with no further request', async () => {
  const f = await fake();
  f.script('/v1/me/top', [{ status: 429, headers: { 'Retry-After': '30' } }]);
  const controller = new AbortController();
  f.onRequest = (q) => {
    if (q.status === 429) setTimeout(() => controller.abort(), 50);
  };
  const started = Date.now();
  try {
    await extractSpotify(client(f), opts({ signal: controller.signal }));
    assert.unreachable();
  } catch (error) {
    assert.instance(error, CancelledError);
  }
  assert.ok(Date.now() - started < 10_000, 'did not sit out the 30 s');
  assert.is(f.requests.at(-1)!.status, 429, 'nothing was sent after the 429');
});

test('config: the api source builds the client from config; missing credentials name each variable', async () => {
  const f = await fake();
  const cwd = tempDir('opsctl-spotify-');
  const env = {
    OPSCTL_HOME: cwd,
    SPOTIFY_CLIENT_ID: 'fake-client-id',
    SPOTIFY_CLIENT_SECRET: 'fake-client-secret',
    SPOTIFY_REFRESH_TOKEN: 'fake-refresh-token',
    SPOTIFY_API_BASE_URL: f.url,
    SPOTIFY_ACCOUNTS_BASE_URL: f.url,
  };
  const { config } = loadConfig({ cwd, env });
  const extract = await createSpotifyExtractor(config, 'api');
  f.script('/v1/me/top/artists', [{ status: 429, headers: { 'Retry-After': '0' } }]);
  const phases: string[] = [];
  const r = await extract(opts({ onProgress: (p) => phases.push(`${p.phase}${p.note ? `: ${p.note}` : ''}`) }));
  assert.is(r.tables.users[0]!.user_id, 'listener');
  assert.ok(phases.includes('waiting: 429 Retry-After 0: retrying in 0.0 s'), phases.join('\n'));
  for (const phase of ['profile', 'playlists', 'tracks', 'recently played', 'top', 'audio features', 'artists'])
    assert.ok(
      phases.some((p) => p.startsWith(phase)),
      phase,
    );
  assert.is(r.apiCalls, f.apiRequests().length);

  const bare = loadConfig({ cwd, env: { OPSCTL_HOME: cwd, SPOTIFY_CLIENT_ID: 'x' } }).config;
  try {
    await createSpotifyExtractor(bare, 'api');
    assert.unreachable();
  } catch (error) {
    assert.instance(error, ConfigError);
    assert.match((error as ConfigError).message, /SPOTIFY_CLIENT_SECRET, SPOTIFY_REFRESH_TOKEN/);
    assert.not.match((error as ConfigError).message, /SPOTIFY_CLIENT_ID/);
    assert.match((error as ConfigError).hint ?? '', /opsctl spotify login/);
  }
});

test.run();
