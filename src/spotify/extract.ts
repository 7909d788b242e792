import { z } from 'zod';
import { OperationFailed, throwIfAborted } from '../errors.js';
import type { Row } from '../warehouse/warehouse.js';
import type { SpotifyApi } from './client.js';
import { SpotifyApiError, spotifyErrorText } from './http.js';
import {
  artistModel,
  audioFeaturesModel,
  playlistModel,
  playlistTrackModel,
  playModel,
  reasonOf,
  topEntryModel,
  toRow,
  trackModel,
  userModel,
} from './models.js';
import { SPOTIFY_TABLE_NAMES, type SpotifyTableName } from './tables.js';
import type { RejectedRecord, SpotifyExtract, SpotifyExtractOptions } from './types.js';

/**
 * One extraction: the seeds' scope and limits, with the fewest calls Spotify's page and batch sizes allow (pages of
 * 50 playlists, 100 playlist items, 100 audio features, 50 artists; no call for an empty playlist; artists already
 * returned in full by the top-artists calls are not fetched again). Every record goes through its zod model; one that
 * fails is rejected with the reason and its raw payload, and the run goes on.
 */
export const SPOTIFY_PAGE = {
  playlists: 50,
  playlistItems: 100,
  audioFeatures: 100,
  artists: 50,
  recentlyPlayed: 50,
  top: 50,
} as const;
export const TIME_RANGES = ['short_term', 'medium_term', 'long_term'] as const;

const paging = z.object({
  items: z.array(z.unknown()),
  next: z.string().nullish(),
  offset: z.number().int().optional(),
});
const cursorPaging = z.object({ items: z.array(z.unknown()) });

const forbiddenDetail = (error: SpotifyApiError) => {
  const said = spotifyErrorText(error.body);
  return said === 'no details' || said === 'Forbidden' ? '' : `: ${said}`;
};

const recordId = (raw: unknown): string | undefined =>
  raw && typeof raw === 'object' && typeof (raw as { id?: unknown }).id === 'string'
    ? (raw as { id: string }).id
    : undefined;

export async function extractSpotify(
  api: SpotifyApi,
  options: SpotifyExtractOptions,
  now: () => number = Date.now,
): Promise<SpotifyExtract> {
  const { signal, limits } = options;
  const at = new Date(now()).toISOString();
  const tables = Object.fromEntries(SPOTIFY_TABLE_NAMES.map((t) => [t, [] as Row[]])) as Record<
    SpotifyTableName,
    Row[]
  >;
  const rejected: RejectedRecord[] = [];
  const unavailable: SpotifyExtract['unavailable'] = [];
  const rejectedKeys = new Set<string>();
  const progress = (phase: string, done?: number, total?: number, note?: string) =>
    options.onProgress?.({ phase, done, total, note });

  const reject = (table: SpotifyTableName, reason: string, payload: unknown) => {
    const key = recordId(payload);
    if (key !== undefined) {
      if (rejectedKeys.has(`${table}:${key}`)) return;
      rejectedKeys.add(`${table}:${key}`);
    }
    rejected.push({ table, reason, payload });
  };
  const parse = <S extends z.ZodType>(
    table: SpotifyTableName,
    model: S,
    raw: unknown,
    where = '',
  ): z.output<S> | undefined => {
    const result = model.safeParse(raw);
    if (result.success) return result.data;
    reject(table, `${where}${reasonOf(result.error)}`, raw);
    return undefined;
  };
  const page = async <S extends z.ZodType>(
    shape: S,
    what: string,
    pathOrUrl: string,
    query: Record<string, string | number | undefined> = {},
  ) => {
    throwIfAborted(signal);
    const body = await api.get(pathOrUrl, query, signal);
    const parsed = shape.safeParse(body);
    if (!parsed.success)
      throw new OperationFailed(`Spotify answered ${what} with an unexpected shape: ${reasonOf(parsed.error)}`, {
        hint: 'Check SPOTIFY_API_BASE_URL if it is set; otherwise the Web API changed.',
      });
    return parsed.data as z.output<S>;
  };

  // Tracks and artists seen anywhere (playlists, plays, top lists), each validated once.
  const tracks = new Map<string, Row>();
  const artists = new Map<string, Row>();
  const artistIds = new Set<string>();
  const addTrack = (raw: unknown) => {
    const key = recordId(raw);
    if (key !== undefined && tracks.has(key)) return;
    const track = parse('tracks', trackModel, raw);
    if (!track) return;
    tracks.set(track.id, toRow.tracks(track, at));
    for (const a of track.artists) artistIds.add(a.id);
  };

  // Profile
  progress('profile');
  const me = await api.get('/v1/me', {}, signal);
  const user = parse('users', userModel, me);
  const userId = user?.id ?? recordId(me);
  if (!userId)
    throw new OperationFailed("Spotify's profile (/v1/me) has no user id", {
      hint: 'Check that the refresh token belongs to a user (authorization-code flow: `opsctl spotify login`).',
    });
  if (user) tables.users.push(toRow.users(user, at));

  // Playlists, following `next` up to the limit
  const playlists: Array<{ id: string; total: number | null; raw: unknown }> = [];
  let seen = 0;
  let next: string | null | undefined = limits.playlists > 0 ? '/v1/me/playlists' : null;
  let query: Record<string, number> = { limit: Math.min(SPOTIFY_PAGE.playlists, limits.playlists), offset: 0 };
  while (next && seen < limits.playlists) {
    const body: z.output<typeof paging> = await page(paging, 'the playlists', next, query);
    query = {};
    for (const raw of body.items.slice(0, limits.playlists - seen)) {
      seen += 1;
      const playlist = parse('playlists', playlistModel, raw);
      // A playlist added while paging shifts the pages: keep each playlist once (a MERGE wants unique keys).
      if (!playlist || playlists.some((p) => p.id === playlist.id)) continue;
      tables.playlists.push(toRow.playlists(playlist, at));
      playlists.push({ id: playlist.id, total: playlist.tracks?.total ?? playlist.items?.total ?? null, raw });
    }
    progress('playlists', seen, limits.playlists);
    next = body.items.length ? body.next : null;
  }

  // Playlist items (≤ tracksPerPlaylist each); an empty playlist costs no call. `/items` replaced `/tracks` in
  // Spotify's February 2026 changes; development-mode apps get 403 on playlists the user neither owns nor
  // collaborates on: that playlist's items are set aside with the reason and the run goes on.
  let done = 0;
  for (const playlist of playlists) {
    const want = Math.min(limits.tracksPerPlaylist, playlist.total ?? limits.tracksPerPlaylist);
    let got = 0;
    let link: string | null | undefined = want > 0 ? `/v1/playlists/${playlist.id}/items` : null;
    let q: Record<string, number> = { limit: Math.min(SPOTIFY_PAGE.playlistItems, want), offset: 0 };
    while (link && got < want) {
      let body: z.output<typeof paging>;
      try {
        body = await page(paging, `the items of playlist ${playlist.id}`, link, q);
      } catch (error) {
        if (!(error instanceof SpotifyApiError) || error.status !== 403) throw error;
        rejected.push({
          table: 'playlist_tracks',
          reason: `playlist ${playlist.id}: Spotify refused its items (403${forbiddenDetail(error)}); development-mode apps may only read playlists the user owns or collaborates on`,
          payload: playlist.raw,
        });
        break;
      }
      q = {};
      const offset = body.offset ?? got;
      body.items.slice(0, want - got).forEach((raw, i) => {
        const entry = parse(
          'playlist_tracks',
          playlistTrackModel,
          raw,
          `playlist ${playlist.id} position ${offset + i}: `,
        );
        if (!entry) return;
        tables.playlist_tracks.push(toRow.playlist_tracks(playlist.id, offset + i, entry, at));
        const { track, item } = raw as { track?: unknown; item?: unknown };
        addTrack(track ?? item);
      });
      got += Math.min(body.items.length, want - got);
      link = body.items.length ? body.next : null;
    }
    progress('tracks', ++done, playlists.length, `${tracks.size} unique tracks`);
  }

  // Recently played: the last N, or what came after the previous run's cursor
  let cursor = options.recentlyPlayedAfter;
  if (limits.recentlyPlayed > 0) {
    progress(
      'recently played',
      undefined,
      undefined,
      cursor === null ? 'first run: last plays' : `after ${new Date(cursor).toISOString()}`,
    );
    const body = await page(cursorPaging, 'recently played', '/v1/me/player/recently-played', {
      limit: Math.min(SPOTIFY_PAGE.recentlyPlayed, limits.recentlyPlayed),
      after: cursor ?? undefined,
    });
    for (const raw of body.items) {
      const play = parse('recently_played', playModel, raw);
      if (!play) continue;
      const playedAt = Date.parse(play.played_at);
      if (options.recentlyPlayedAfter !== null && playedAt <= options.recentlyPlayedAfter) continue;
      tables.recently_played.push(toRow.recently_played(userId, play, at));
      addTrack((raw as { track: unknown }).track);
      if (cursor === null || playedAt > cursor) cursor = playedAt;
    }
  }

  // Top tracks and artists per time range
  if (limits.topPerRange > 0) {
    let calls = 0;
    for (const kind of ['tracks', 'artists'] as const) {
      for (const range of TIME_RANGES) {
        const body = await page(paging, `top ${kind} (${range})`, `/v1/me/top/${kind}`, {
          time_range: range,
          limit: Math.min(SPOTIFY_PAGE.top, limits.topPerRange),
          offset: 0,
        });
        const offset = body.offset ?? 0;
        body.items.slice(0, limits.topPerRange).forEach((raw, i) => {
          const table = kind === 'tracks' ? 'top_tracks' : 'top_artists';
          const entry = parse(table, topEntryModel, raw);
          if (!entry) return;
          tables[table].push(
            toRow.top(userId, range, offset + i + 1, entry.id, kind === 'tracks' ? 'track_id' : 'artist_id', at),
          );
          if (kind === 'tracks') addTrack(raw);
          else if (!artists.has(entry.id)) {
            const artist = parse('artists', artistModel, raw);
            if (artist) artists.set(artist.id, toRow.artists(artist, at));
          }
        });
        progress('top', ++calls, TIME_RANGES.length * 2);
      }
    }
  }
  tables.tracks.push(...tracks.values());

  // Audio features, 100 ids a call; Spotify answers 403 for apps created after November 2024
  const trackIds = [...tracks.keys()];
  progress('audio features', 0, trackIds.length);
  for (let i = 0; i < trackIds.length; i += SPOTIFY_PAGE.audioFeatures) {
    const ids = trackIds.slice(i, i + SPOTIFY_PAGE.audioFeatures);
    let body: unknown;
    try {
      body = await api.get('/v1/audio-features', { ids: ids.join(',') }, signal);
    } catch (error) {
      if (error instanceof SpotifyApiError && error.status === 403) {
        tables.track_audio_features.length = 0;
        unavailable.push({
          table: 'track_audio_features',
          reason: `Spotify answered 403 Forbidden on /v1/audio-features${forbiddenDetail(error)}: the endpoint is closed to apps created after 27 November 2024 without extended access`,
        });
        progress('audio features', undefined, undefined, 'unavailable (403)');
        break;
      }
      throw error;
    }
    const list = z.object({ audio_features: z.array(z.unknown()) }).safeParse(body);
    if (!list.success)
      throw new OperationFailed('Spotify answered audio features without `audio_features`', {
        hint: 'Check SPOTIFY_API_BASE_URL if it is set.',
      });
    for (const raw of list.data.audio_features) {
      if (raw === null) continue; // Spotify has no features for this track
      const features = parse('track_audio_features', audioFeaturesModel, raw);
      if (features) tables.track_audio_features.push(toRow.track_audio_features(features, at));
    }
    progress('audio features', Math.min(i + ids.length, trackIds.length), trackIds.length);
  }

  // Artists not already returned in full, 50 ids a call
  const missing = [...artistIds].filter((a) => !artists.has(a));
  progress('artists', 0, missing.length, `${artists.size} already returned by the top lists`);
  const addArtist = (raw: unknown) => {
    if (raw === null) return;
    const artist = parse('artists', artistModel, raw);
    if (artist && !artists.has(artist.id)) artists.set(artist.id, toRow.artists(artist, at));
  };
  let batches = true;
  for (let i = 0; i < missing.length;) {
    if (batches) {
      const ids = missing.slice(i, i + SPOTIFY_PAGE.artists);
      try {
        const body = await page(z.object({ artists: z.array(z.unknown()) }), 'artists', '/v1/artists', {
          ids: ids.join(','),
        });
        body.artists.forEach(addArtist);
        i += ids.length;
      } catch (error) {
        // Spotify's February 2026 changes closed the batch endpoints to development-mode apps: one artist a call.
        if (!(error instanceof SpotifyApiError) || error.status !== 403) throw error;
        batches = false;
        progress('artists', i, missing.length, 'batch endpoint refused (403): one artist a call');
        continue;
      }
    } else {
      const id = missing[i]!;
      try {
        addArtist(await api.get(`/v1/artists/${id}`, {}, signal));
      } catch (error) {
        if (!(error instanceof SpotifyApiError) || (error.status !== 404 && error.status !== 400)) throw error;
        reject('artists', `artist ${id}: Spotify answered ${error.status} (${spotifyErrorText(error.body)})`, { id });
      }
      i += 1;
    }
    progress('artists', i, missing.length);
  }
  tables.artists.push(...artists.values());

  return { tables, rejected, unavailable, recentlyPlayedAfter: cursor, apiCalls: api.apiCalls };
}
