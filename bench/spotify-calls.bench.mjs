// Web API calls of one Spotify extraction against the fake Web API (tests/fakes/spotify.ts, real HTTP), for libraries
// of growing size, next to the minimum Spotify's page and batch sizes allow, computed here from the library itself:
//   1 profile + ⌈playlists/50⌉ (at least 1) + Σ ⌈min(items, tracksPerPlaylist)/50⌉ over non-empty playlists
//   + 1 recently played + 6 top lists (3 ranges × tracks/artists, ≤ 50 each)
//   + ⌈unique tracks/100⌉ audio features + ⌈unique artists not already returned by the top-artists lists/50⌉.
// Token requests go to the accounts service and are not Web API calls. Target: exactly 1.0×.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from 'tsx/esm/api';
import { figure, finish } from './lib.mjs';

register();
const dist = new URL('../dist/', import.meta.url);
const { makeLibrary, startSpotifyFake } = await import(new URL('../tests/fakes/spotify.ts', import.meta.url).href);
const { loadConfig } = await import(new URL('src/config/load.js', dist));
const { createSpotifyExtractor } = await import(new URL('src/spotify/index.js', dist));

const cases = [
  {
    name: 'small: 5 playlists × ≤40 tracks',
    spec: { playlistSizes: [40, 12, 0, 33, 7], trackPool: 150, artistPool: 60 },
    limits: {},
  },
  {
    name: 'seeds: 30 playlists × ≤150 tracks',
    spec: { playlistSizes: Array.from({ length: 30 }, (_, i) => (i * 37) % 151), trackPool: 1500, artistPool: 400 },
    limits: {},
  },
  {
    name: 'large: 120 playlists × ≤300 tracks',
    spec: { playlistSizes: Array.from({ length: 120 }, (_, i) => (i * 53) % 301), trackPool: 6000, artistPool: 1800 },
    limits: { playlists: 100, tracksPerPlaylist: 250 },
  },
];
const DEFAULT_LIMITS = { playlists: 20, tracksPerPlaylist: 100, recentlyPlayed: 50, topPerRange: 20 };

function minimumCalls(lib, limits) {
  const ceil = (n, d) => Math.ceil(n / d);
  const playlists = lib.playlists.slice(0, limits.playlists);
  let calls = 1 + Math.max(1, ceil(playlists.length, 50));
  const tracks = new Map();
  for (const { items } of playlists) {
    const taken = items.slice(0, limits.tracksPerPlaylist);
    if (taken.length) calls += ceil(taken.length, 50);
    for (const item of taken) tracks.set(item.track.id, item.track);
  }
  calls += 1; // recently played
  for (const play of lib.recentlyPlayed(null, limits.recentlyPlayed)) tracks.set(play.track.id, play.track);
  const topArtists = new Set();
  for (const range of ['short_term', 'medium_term', 'long_term']) {
    calls += 2;
    for (const t of lib.top.tracks[range].slice(0, limits.topPerRange)) tracks.set(t.id, t);
    for (const a of lib.top.artists[range].slice(0, limits.topPerRange)) topArtists.add(a.id);
  }
  const artists = new Set(
    [...tracks.values()].flatMap((t) => t.artists.map((a) => a.id)).filter((a) => !topArtists.has(a)),
  );
  return {
    calls: calls + ceil(tracks.size, 100) + ceil(artists.size, 50),
    tracks: tracks.size,
    artists: artists.size + topArtists.size,
  };
}

let ok = true;
for (const c of cases) {
  const library = makeLibrary(c.spec);
  const fake = await startSpotifyFake({ library });
  const home = mkdtempSync(join(tmpdir(), 'opsctl-bench-spotify-'));
  try {
    const env = {
      OPSCTL_HOME: home,
      SPOTIFY_CLIENT_ID: 'fake-client-id',
      SPOTIFY_CLIENT_SECRET: 'fake-client-secret',
      SPOTIFY_REFRESH_TOKEN: 'fake-refresh-token',
      SPOTIFY_API_BASE_URL: fake.url,
      SPOTIFY_ACCOUNTS_BASE_URL: fake.url,
    };
    const { config } = loadConfig({ cwd: home, env });
    const limits = { ...DEFAULT_LIMITS, ...c.limits };
    const extract = await createSpotifyExtractor(config, 'api');
    const t0 = performance.now();
    const result = await extract({ signal: new AbortController().signal, recentlyPlayedAfter: null, limits });
    const ms = performance.now() - t0;
    const seen = fake.apiRequests().length;
    const minimum = minimumCalls(library, limits);
    const rows = Object.values(result.tables).reduce((n, t) => n + t.length, 0);
    console.log(
      `${c.name}: ${seen} Web API calls (extractor counted ${result.apiCalls}), minimum ${minimum.calls}; ${rows} rows in ${ms.toFixed(0)} ms`,
    );
    const problems = [];
    if (result.apiCalls !== seen) problems.push(`the extractor counted ${result.apiCalls} calls, the fake saw ${seen}`);
    // Fewer calls than the minimum would mean missing data: every track, its features and every artist must be there.
    if (result.tables.tracks.length !== minimum.tracks)
      problems.push(`${result.tables.tracks.length} tracks, expected ${minimum.tracks}`);
    if (result.tables.track_audio_features.length !== minimum.tracks)
      problems.push(`${result.tables.track_audio_features.length} audio features, expected ${minimum.tracks}`);
    if (result.tables.artists.length !== minimum.artists)
      problems.push(`${result.tables.artists.length} artists, expected ${minimum.artists}`);
    const ratio = seen / minimum.calls;
    const good = ratio === 1 && problems.length === 0;
    console.log(
      `  calls / minimum: ${ratio.toFixed(2)}x (target exactly 1.0x, all data present) ${good ? 'OK' : `MISSED ${problems.join('; ')}`}`,
    );
    figure(`${c.name}: calls / minimum`, ratio, 'x');
    ok = good && ok;
  } finally {
    await fake.close();
    rmSync(home, { recursive: true, force: true });
  }
}
finish(
  'spotify-calls',
  'Web API calls one extraction makes against the minimum the batching limits allow (fake Web API)',
  ok,
);
