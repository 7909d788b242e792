import { createRuntime, type Runtime } from '../../commands/runtime.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger, type LogRecord } from '../../src/log/logger.js';
import { Redactor } from '../../src/log/redact.js';
import { createSpotifyRunner } from '../../src/pipelines/spotify/index.js';
import { PIPELINE_RUNNERS } from '../../src/pipelines/registry.js';
import type { SpotifyTableName } from '../../src/spotify/tables.js';
import type { SpotifyExtract, SpotifyExtractOptions, SpotifyExtractor } from '../../src/spotify/types.js';
import type { Row } from '../../src/warehouse/warehouse.js';
import { tempDir } from './tmp.js';

const AT = '2026-11-30T10:00:00.000Z';

/**
 * A hand-made extract shaped like the transform's output: a few rows per table, one record that failed its model
 * (quarantined), and audio features refused by the API (unavailable).
 */
export function handMadeExtract(overrides: Partial<Record<SpotifyTableName, Row[]>> = {}): SpotifyExtract {
  const tables: Record<SpotifyTableName, Row[]> = {
    users: [
      {
        user_id: 'u1',
        display_name: 'Ana',
        email: null,
        country: 'ES',
        product: 'premium',
        followers: 12,
        extracted_at: AT,
      },
    ],
    playlists: [
      {
        playlist_id: 'p1',
        name: 'Run',
        description: null,
        owner_id: 'u1',
        public: true,
        collaborative: false,
        snapshot_id: 's1',
        tracks_total: 2,
        extracted_at: AT,
      },
    ],
    tracks: [
      {
        track_id: 't1',
        name: 'One',
        album_id: 'a1',
        album_name: 'Al',
        album_release_date: '2020-01-01',
        artist_ids: '["ar1"]',
        duration_ms: 200000,
        explicit: false,
        popularity: 50,
        isrc: 'X1',
        extracted_at: AT,
      },
      {
        track_id: 't2',
        name: 'Two',
        album_id: 'a1',
        album_name: 'Al',
        album_release_date: '2020-01-01',
        artist_ids: '["ar1"]',
        duration_ms: 180000,
        explicit: true,
        popularity: 40,
        isrc: 'X2',
        extracted_at: AT,
      },
    ],
    track_audio_features: [],
    artists: [
      { artist_id: 'ar1', name: 'Band', genres: '["rock"]', popularity: 60, followers: 1000, extracted_at: AT },
    ],
    playlist_tracks: [
      {
        playlist_id: 'p1',
        position: 0,
        track_id: 't1',
        added_at: '2026-01-01T00:00:00Z',
        added_by: 'u1',
        extracted_at: AT,
      },
      {
        playlist_id: 'p1',
        position: 1,
        track_id: 't2',
        added_at: '2026-01-02T00:00:00Z',
        added_by: 'u1',
        extracted_at: AT,
      },
    ],
    recently_played: [
      {
        user_id: 'u1',
        played_at: '2026-11-30T08:00:00.000Z',
        track_id: 't1',
        context_type: 'playlist',
        context_uri: 'spotify:playlist:p1',
        extracted_at: AT,
      },
      {
        user_id: 'u1',
        played_at: '2026-11-30T08:04:00.000Z',
        track_id: 't2',
        context_type: null,
        context_uri: null,
        extracted_at: AT,
      },
      {
        user_id: 'u1',
        played_at: '2026-11-30T09:00:00.000Z',
        track_id: 't1',
        context_type: null,
        context_uri: null,
        extracted_at: AT,
      },
    ],
    top_tracks: [
      {
        user_id: 'u1',
        time_range: 'short_term',
        snapshot_date: '2026-11-30',
        rank: 1,
        track_id: 't1',
        extracted_at: AT,
      },
      {
        user_id: 'u1',
        time_range: 'short_term',
        snapshot_date: '2026-11-30',
        rank: 2,
        track_id: 't2',
        extracted_at: AT,
      },
    ],
    top_artists: [
      {
        user_id: 'u1',
        time_range: 'long_term',
        snapshot_date: '2026-11-30',
        rank: 1,
        artist_id: 'ar1',
        extracted_at: AT,
      },
    ],
    ...overrides,
  };
  return {
    tables,
    rejected: [{ table: 'tracks', reason: 'name: expected string, received null', payload: { id: 't3', name: null } }],
    unavailable: [
      {
        table: 'track_audio_features',
        reason: 'Spotify answered 403 on /audio-features (apps created after November 2024)',
      },
    ],
    recentlyPlayedAfter: Date.parse('2026-11-30T09:00:00.000Z'),
    apiCalls: 9,
  };
}

export interface FakeExtractor {
  extractor: SpotifyExtractor;
  calls: SpotifyExtractOptions[];
  next: SpotifyExtract | (() => SpotifyExtract | Promise<SpotifyExtract>);
}

export function fakeExtractor(extract: SpotifyExtract = handMadeExtract()): FakeExtractor {
  const fake: FakeExtractor = {
    calls: [],
    next: extract,
    extractor: async (options) => {
      fake.calls.push(options);
      options.onProgress?.({ phase: 'profile', done: 1, total: 1 });
      return typeof fake.next === 'function' ? fake.next() : structuredClone(fake.next);
    },
  };
  return fake;
}

/** Registers the Spotify runner with an injected extractor, as etl.run finds it through the registry. */
export function useFakeSpotify(fake: FakeExtractor): void {
  PIPELINE_RUNNERS.spotify = async () => createSpotifyRunner({ createExtractor: async () => fake.extractor });
}

export interface EtlWorkspace {
  runtime: Runtime;
  home: string;
  logs: LogRecord[];
  progress: Array<{ phase: string; done?: number; total?: number; note?: string }>;
}

export function etlWorkspace(
  config: Record<string, unknown> = {},
  options: { signal?: AbortSignal } = {},
): EtlWorkspace {
  const home = tempDir('opsctl-etl-');
  const loaded = loadConfig({
    cwd: home,
    env: {},
    redactor: new Redactor(),
    fileConfig: { home, pipelines: { spotify: { kind: 'spotify', source: 'sample' } }, ...config },
  });
  const logs: LogRecord[] = [];
  const progress: EtlWorkspace['progress'] = [];
  const runtime = createRuntime({
    loaded,
    log: createLogger({ level: 'debug', sink: (r) => logs.push(r) }),
    trigger: 'cli',
    progress: (p) => progress.push(p),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { runtime, home, logs, progress };
}
