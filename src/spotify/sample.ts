import type { Params } from 'spotify-web-api-node/src/base-request.js';
import { throwIfAborted } from '../errors.js';
import { SPOTIFY_API_BASE_URL, type SpotifyApi } from './client.js';
import { extractSpotify } from './extract.js';
import { SpotifyApiError, spotifyErrorText } from './http.js';
import { routeSpotifyApi, TIME_RANGE_NAMES, type Json, type SpotifyLibrary, type TimeRangeName } from './library.js';
import type { SpotifyExtractor } from './types.js';

/**
 * The seeded sample source for `opsctl demo`: a generated library (24 playlists, about 900 tracks, 160 artists, a play
 * every few minutes) served through the same Web API router, paging and transform as the real client. The same seed
 * and clock give the same records. A few records are malformed on purpose (a track whose duration is text, an artist
 * whose popularity is a word, audio features out of range, a removed track in a playlist) so quarantine shows.
 *
 * Plays are a function of time: each four-minute slot holds a play or not. A run with a cursor happens at least an
 * hour after it, so successive demo runs always find new plays after the cursor.
 */
export const SAMPLE_SEED = 42;
const SLOT_MS = 4 * 60_000;
const HOUR_MS = 60 * 60_000;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mix(a: number, b: number): number {
  let h = (Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const WORDS = [
  'Neon',
  'Velvet',
  'Echo',
  'Paper',
  'Golden',
  'Midnight',
  'Silver',
  'Wild',
  'Quiet',
  'Electric',
  'Lunar',
  'Saffron',
  'Glass',
  'Northern',
  'Honey',
  'Static',
  'Coral',
  'Hollow',
  'Amber',
  'Distant',
];
const NOUNS = [
  'Harbor',
  'Lights',
  'Rivers',
  'Tides',
  'Machines',
  'Gardens',
  'Signals',
  'Hearts',
  'Cities',
  'Waves',
  'Foxes',
  'Engines',
  'Stories',
  'Shadows',
  'Dreams',
  'Canyons',
];
const GENRES = [
  'indie pop',
  'synthwave',
  'neo soul',
  'dream pop',
  'latin pop',
  'lo-fi beats',
  'post-punk',
  'afrobeats',
  'chillhop',
  'art rock',
  'k-pop',
  'jazz fusion',
  'reggaeton',
  'ambient',
];
const PLAYLIST_NAMES = [
  'Morning Run',
  'Deep Focus',
  'Sunday Coffee',
  'Night Drive',
  'Throwbacks',
  'Empty For Now',
  'Road Trip',
  'Rainy Days',
  'Workout',
  'Dinner Party',
  'Discover Mix',
  'Chill Vibes',
  'Coding Flow',
  'Summer 2025',
  'Late Night Jazz',
  'Party Starters',
  'Acoustic',
  'Release Radar',
  'Old Favourites',
  'Dance Floor',
  'Study Beats',
  'Commute',
  'Weekend',
  'Sleep',
];

export function generateSampleLibrary(
  seed: number = SAMPLE_SEED,
  anchor = Date.UTC(2026, 0, 1),
): SpotifyLibrary & { trackList: Json[] } {
  const rnd = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const newId = () => Array.from({ length: 22 }, () => BASE62[Math.floor(rnd() * 62)]).join('');
  const round = (v: number, d = 3) => Math.round(v * 10 ** d) / 10 ** d;

  const userId = 'opsctl.demo';
  const user: Json = {
    id: userId,
    display_name: 'opsctl demo listener',
    email: 'listener@example.com',
    country: 'CL',
    product: 'premium',
    type: 'user',
    uri: `spotify:user:${userId}`,
    followers: { href: null, total: int(3, 400) },
    images: [],
    external_urls: { spotify: `https://open.spotify.com/user/${userId}` },
  };

  const artists = new Map<string, Json>();
  const artistList: Json[] = [];
  for (let i = 0; i < 160; i++) {
    const id = newId();
    const artist: Json = {
      id,
      name: `${pick(WORDS)} ${pick(NOUNS)}`,
      type: 'artist',
      uri: `spotify:artist:${id}`,
      genres: Array.from({ length: int(0, 3) }, () => pick(GENRES)),
      popularity: int(5, 95),
      followers: { href: null, total: int(100, 5_000_000) },
      images: [],
      external_urls: { spotify: `https://open.spotify.com/artist/${id}` },
    };
    if (i === 11) artist.popularity = 'very high'; // malformed on purpose: quarantined
    artists.set(id, artist);
    artistList.push(artist);
  }
  const simple = (a: Json) => ({ id: a.id, name: a.name, type: 'artist', uri: a.uri });

  const trackList: Json[] = [];
  const audioFeatures = new Map<string, Json>();
  for (let album = 0; album < 240; album++) {
    const albumId = newId();
    const albumArtists = [pick(artistList), ...(rnd() < 0.15 ? [pick(artistList)] : [])];
    const year = int(1975, 2026);
    const albumObj = {
      id: albumId,
      name: `${pick(WORDS)} ${pick(NOUNS)}`,
      album_type: 'album',
      release_date: `${year}-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}`,
      release_date_precision: 'day',
      total_tracks: 0,
      type: 'album',
      uri: `spotify:album:${albumId}`,
      artists: albumArtists.map(simple),
      images: [],
    };
    const count = int(2, 6);
    albumObj.total_tracks = count;
    for (let n = 1; n <= count; n++) {
      const id = newId();
      const i = trackList.length;
      const featured = rnd() < 0.2 ? [pick(artistList)] : [];
      const track: Json = {
        id,
        name: `${pick(NOUNS)} of ${pick(WORDS)}`,
        type: 'track',
        uri: `spotify:track:${id}`,
        album: albumObj,
        artists: [...albumArtists, ...featured].map(simple),
        duration_ms: int(95_000, 420_000),
        explicit: rnd() < 0.2,
        popularity: int(0, 100),
        disc_number: 1,
        track_number: n,
        is_local: false,
        external_ids: {
          isrc: `US${String.fromCharCode(65 + (i % 26))}${String(year % 100).padStart(2, '0')}${String(i).padStart(7, '0')}`,
        },
      };
      if (i === 7) track.duration_ms = '3:41'; // malformed on purpose: quarantined
      trackList.push(track);
      if (i % 97 === 50) continue; // Spotify has no audio features for some tracks (null in the batch)
      audioFeatures.set(id, {
        id,
        type: 'audio_features',
        uri: `spotify:track:${id}`,
        track_href: `${SPOTIFY_API_BASE_URL}/v1/tracks/${id}`,
        danceability: i === 13 ? 1.7 /* malformed on purpose */ : round(rnd()),
        energy: round(rnd()),
        key: int(-1, 11),
        loudness: round(-30 + rnd() * 29, 2),
        mode: int(0, 1),
        speechiness: round(rnd() * 0.5),
        acousticness: round(rnd()),
        instrumentalness: round(rnd() * rnd()),
        liveness: round(rnd() * 0.8),
        valence: round(rnd()),
        tempo: round(60 + rnd() * 120, 2),
        time_signature: pick([3, 4, 4, 4, 5]),
        duration_ms: track.duration_ms,
      });
    }
  }

  const playlists = PLAYLIST_NAMES.map((name, p) => {
    const id = newId();
    const size = p === 5 ? 0 : p === 0 ? 24 : int(8, 140);
    const items: Json[] = [];
    for (let k = 0; k < size; k++) {
      const track = p === 0 && k === 3 ? trackList[7] : p === 0 && k === 4 ? trackList[13] : pick(trackList);
      items.push({
        added_at: new Date(anchor - int(0, 700) * 86_400_000 - int(0, 86_399) * 1000)
          .toISOString()
          .replace('.000Z', 'Z'),
        added_by: { id: userId, type: 'user', uri: `spotify:user:${userId}` },
        is_local: false,
        primary_color: null,
        track: p === 2 && k === 1 ? null /* a removed track: quarantined */ : track,
      });
    }
    const playlist: Json = {
      id,
      name,
      description: p % 3 === 0 ? '' : `${name}, curated by the opsctl sample source`,
      collaborative: p === 8,
      public: p % 4 !== 0,
      snapshot_id: `${newId()}${newId()}`,
      type: 'playlist',
      uri: `spotify:playlist:${id}`,
      owner: { id: userId, display_name: 'opsctl demo listener', type: 'user' },
      images: [],
    };
    return { playlist, items };
  });

  const ranked = (list: Json[]) =>
    Object.fromEntries(
      TIME_RANGE_NAMES.map((r) => [
        r,
        Array.from({ length: 50 }, (_, i) => list[(mix(seed + r.length, i) + i * 7) % list.length] as Json),
      ]),
    ) as Record<TimeRangeName, Json[]>;
  const dedupe = (rec: Record<TimeRangeName, Json[]>) =>
    Object.fromEntries(
      Object.entries(rec).map(([r, list]) => [r, [...new Map(list.map((x) => [x.id, x])).values()]]),
    ) as Record<TimeRangeName, Json[]>;
  const top = { tracks: dedupe(ranked(trackList)), artists: dedupe(ranked(artistList)) };

  // recentlyPlayed is bound per run by createSampleExtractor (plays depend on the run's clock).
  return { user, playlists, artists, audioFeatures, top, trackList, recentlyPlayed: () => [] };
}

/** Plays in (after, now], newest first: one per four-minute slot with probability 0.8, at a seeded moment in the slot. */
export function samplePlays(seed: number, tracks: Json[], now: number, after: number | null, limit: number): Json[] {
  const plays: Json[] = [];
  const floor = after ?? -Infinity;
  for (
    let slot = Math.floor(now / SLOT_MS);
    plays.length < limit && slot * SLOT_MS + SLOT_MS > floor && slot > 0;
    slot--
  ) {
    const h = mix(seed, slot);
    if (h % 10 >= 8) continue;
    const at = slot * SLOT_MS + ((h >>> 8) % (SLOT_MS - 1000));
    if (at > now || at <= floor) continue;
    const track = tracks[mix(seed + 1, slot) % Math.min(tracks.length, 400)] as Json;
    const kind = h % 3;
    plays.push({
      track,
      played_at: new Date(at).toISOString(),
      context:
        kind === 0
          ? null
          : {
              type: kind === 1 ? 'playlist' : 'album',
              uri:
                kind === 1
                  ? `spotify:playlist:37i9dQZF1DX${String(h % 6).padStart(11, '0')}`
                  : (track.album as Json).uri,
              href: null,
              external_urls: {},
            },
    });
  }
  return plays;
}

/** The sample library behind the same interface as the Web API client. */
export class SampleSpotifyApi implements SpotifyApi {
  apiCalls = 0;
  constructor(private readonly library: SpotifyLibrary) {}
  async get(pathOrUrl: string, query: Params, signal: AbortSignal): Promise<unknown> {
    throwIfAborted(signal);
    this.apiCalls += 1;
    const url = new URL(pathOrUrl, SPOTIFY_API_BASE_URL);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    const { status, body } = routeSpotifyApi(this.library, url, SPOTIFY_API_BASE_URL);
    if (status >= 400)
      throw new SpotifyApiError(
        `sample source: GET ${url.pathname} failed: HTTP ${status} (${spotifyErrorText(body)})`,
        status,
        body,
      );
    return body;
  }
}

export interface SampleOptions {
  seed?: number;
  /** The wall clock (tests fix it). A run with a cursor happens at max(clock, cursor + 1 h). */
  now?: () => number;
}

export function createSampleExtractor(options: SampleOptions = {}): SpotifyExtractor {
  const seed = options.seed ?? SAMPLE_SEED;
  const clock = options.now ?? Date.now;
  const library = generateSampleLibrary(seed);
  return async (extractOptions) => {
    const after = extractOptions.recentlyPlayedAfter;
    const now = Math.max(clock(), after === null ? -Infinity : after + HOUR_MS);
    const api = new SampleSpotifyApi({
      ...library,
      recentlyPlayed: (a, limit) => samplePlays(seed, library.trackList, now, a, limit),
    });
    return extractSpotify(api, extractOptions, () => now);
  };
}
