import { z } from 'zod';
import { OperationFailed } from '../errors.js';
import type { SpotifyApi } from './client.js';
import { Extraction, recordId } from './extraction.js';
import { SpotifyApiError, spotifyErrorText } from './http.js';
import {
  audioFeaturesModel,
  playlistModel,
  playlistTrackModel,
  playModel,
  topEntryModel,
  toRow,
  userModel,
} from './models.js';
import type { SpotifyExtract, SpotifyExtractOptions } from './types.js';

/**
 * One extraction: the seeds' scope and limits, with the fewest calls Spotify's page and batch sizes allow (pages of
 * 50 playlists, 50 playlist items, 100 audio features, 50 artists; no call for an empty playlist; artists already
 * returned in full by the top-artists calls are not fetched again). Every record goes through its zod model; one that
 * fails is rejected with the reason and its raw payload, and the run goes on.
 */
export const SPOTIFY_PAGE = {
  playlists: 50,
  /** `/v1/playlists/{id}/items` documents a maximum of 50 (the older `/tracks` pages said 100): 400 "Invalid limit" above. */
  playlistItems: 50,
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

export async function extractSpotify(
  api: SpotifyApi,
  options: SpotifyExtractOptions,
  now: () => number = Date.now,
): Promise<SpotifyExtract> {
  const x = new Extraction(api, options, now);
  const userId = await extractProfile(x);
  await extractPlaylistItems(x, await extractPlaylists(x));
  const cursor = await extractRecentlyPlayed(x, userId);
  await extractTopLists(x, userId);
  x.tables.tracks.push(...x.tracks.values());
  await extractAudioFeatures(x);
  await extractArtists(x);
  x.tables.artists.push(...x.artists.values());
  return {
    tables: x.tables,
    rejected: x.rejected,
    unavailable: x.unavailable,
    recentlyPlayedAfter: cursor,
    apiCalls: api.apiCalls,
  };
}

/** The user's profile (/v1/me): its row, and the user id the plays and top lists are keyed on. */
async function extractProfile(x: Extraction): Promise<string> {
  x.progress('profile');
  const me = await x.api.get('/v1/me', {}, x.signal);
  const user = x.parse('users', userModel, me);
  const userId = user?.id ?? recordId(me);
  if (!userId)
    throw new OperationFailed("Spotify's profile (/v1/me) has no user id", {
      hint: 'Check that the refresh token belongs to a user (authorization-code flow: `opsctl spotify login`).',
    });
  if (user) x.tables.users.push(toRow.users(user, x.at));
  return userId;
}

interface PlaylistRef {
  id: string;
  total: number | null;
  raw: unknown;
}

/** The user's playlists, following `next` up to the limit, each kept once. */
async function extractPlaylists(x: Extraction): Promise<PlaylistRef[]> {
  const { limits } = x;
  const playlists: PlaylistRef[] = [];
  let seen = 0;
  let next: string | null | undefined = limits.playlists > 0 ? '/v1/me/playlists' : null;
  let query: Record<string, number> = { limit: Math.min(SPOTIFY_PAGE.playlists, limits.playlists), offset: 0 };
  while (next && seen < limits.playlists) {
    const body: z.output<typeof paging> = await x.page(paging, 'the playlists', next, query);
    query = {};
    for (const raw of body.items.slice(0, limits.playlists - seen)) {
      seen += 1;
      const playlist = x.parse('playlists', playlistModel, raw);
      // A playlist added while paging shifts the pages: keep each playlist once (a MERGE wants unique keys).
      if (!playlist || playlists.some((p) => p.id === playlist.id)) continue;
      x.tables.playlists.push(toRow.playlists(playlist, x.at));
      playlists.push({ id: playlist.id, total: playlist.tracks?.total ?? playlist.items?.total ?? null, raw });
    }
    x.progress('playlists', seen, limits.playlists);
    next = body.items.length ? body.next : null;
  }
  return playlists;
}

/**
 * Each playlist's items (≤ tracksPerPlaylist each); an empty playlist costs no call. `/items` replaced `/tracks` in
 * Spotify's February 2026 changes; development-mode apps get 403 on playlists the user neither owns nor
 * collaborates on: that playlist's items are set aside with the reason and the run goes on.
 */
async function extractPlaylistItems(x: Extraction, playlists: PlaylistRef[]): Promise<void> {
  let done = 0;
  for (const playlist of playlists) {
    const want = Math.min(x.limits.tracksPerPlaylist, playlist.total ?? x.limits.tracksPerPlaylist);
    let got = 0;
    let link: string | null | undefined = want > 0 ? `/v1/playlists/${playlist.id}/items` : null;
    let q: Record<string, number> = { limit: Math.min(SPOTIFY_PAGE.playlistItems, want), offset: 0 };
    while (link && got < want) {
      let body: z.output<typeof paging>;
      try {
        body = await x.page(paging, `the items of playlist ${playlist.id}`, link, q);
      } catch (error) {
        if (!(error instanceof SpotifyApiError) || error.status !== 403) throw error;
        x.rejected.push({
          table: 'playlist_tracks',
          reason: `playlist ${playlist.id}: Spotify refused its items (403${forbiddenDetail(error)}); development-mode apps may only read playlists the user owns or collaborates on`,
          payload: playlist.raw,
        });
        break;
      }
      q = {};
      const offset = body.offset ?? got;
      body.items.slice(0, want - got).forEach((raw, i) => {
        const where = `playlist ${playlist.id} position ${offset + i}: `;
        const entry = x.parse('playlist_tracks', playlistTrackModel, raw, where);
        if (!entry) return;
        x.tables.playlist_tracks.push(toRow.playlist_tracks(playlist.id, offset + i, entry, x.at));
        const { track, item } = raw as { track?: unknown; item?: unknown };
        x.addTrack(track ?? item);
      });
      got += Math.min(body.items.length, want - got);
      link = body.items.length ? body.next : null;
    }
    x.progress('tracks', ++done, playlists.length, `${x.tracks.size} unique tracks`);
  }
}

/** The last N plays, or those after the previous run's cursor; returns the cursor to keep (the newest play seen). */
async function extractRecentlyPlayed(x: Extraction, userId: string): Promise<number | null> {
  const after = x.options.recentlyPlayedAfter;
  let cursor = after;
  if (x.limits.recentlyPlayed <= 0) return cursor;
  x.progress(
    'recently played',
    undefined,
    undefined,
    cursor === null ? 'first run: last plays' : `after ${new Date(cursor).toISOString()}`,
  );
  const body = await x.page(cursorPaging, 'recently played', '/v1/me/player/recently-played', {
    limit: Math.min(SPOTIFY_PAGE.recentlyPlayed, x.limits.recentlyPlayed),
    after: cursor ?? undefined,
  });
  for (const raw of body.items) {
    const play = x.parse('recently_played', playModel, raw);
    if (!play) continue;
    const playedAt = Date.parse(play.played_at);
    if (after !== null && playedAt <= after) continue;
    x.tables.recently_played.push(toRow.recently_played(userId, play, x.at));
    x.addTrack((raw as { track: unknown }).track);
    if (cursor === null || playedAt > cursor) cursor = playedAt;
  }
  return cursor;
}

/** Top tracks and artists per time range; a top artist comes back in full, so the artists step skips it. */
async function extractTopLists(x: Extraction, userId: string): Promise<void> {
  const perRange = x.limits.topPerRange;
  if (perRange <= 0) return;
  let calls = 0;
  for (const kind of ['tracks', 'artists'] as const) {
    const table = kind === 'tracks' ? 'top_tracks' : 'top_artists';
    for (const range of TIME_RANGES) {
      const body = await x.page(paging, `top ${kind} (${range})`, `/v1/me/top/${kind}`, {
        time_range: range,
        limit: Math.min(SPOTIFY_PAGE.top, perRange),
        offset: 0,
      });
      const offset = body.offset ?? 0;
      body.items.slice(0, perRange).forEach((raw, i) => {
        const entry = x.parse(table, topEntryModel, raw);
        if (!entry) return;
        const idColumn = kind === 'tracks' ? 'track_id' : 'artist_id';
        x.tables[table].push(toRow.top(userId, range, offset + i + 1, entry.id, idColumn, x.at));
        if (kind === 'tracks') x.addTrack(raw);
        else if (!x.artists.has(entry.id)) x.addArtist(raw);
      });
      x.progress('top', ++calls, TIME_RANGES.length * 2);
    }
  }
}

/** Audio features, 100 ids a call; Spotify answers 403 for apps created after November 2024 (the table is unavailable). */
async function extractAudioFeatures(x: Extraction): Promise<void> {
  const trackIds = [...x.tracks.keys()];
  x.progress('audio features', 0, trackIds.length);
  for (let i = 0; i < trackIds.length; i += SPOTIFY_PAGE.audioFeatures) {
    const ids = trackIds.slice(i, i + SPOTIFY_PAGE.audioFeatures);
    let body: unknown;
    try {
      body = await x.api.get('/v1/audio-features', { ids: ids.join(',') }, x.signal);
    } catch (error) {
      if (!(error instanceof SpotifyApiError) || error.status !== 403) throw error;
      x.tables.track_audio_features.length = 0;
      x.unavailable.push({
        table: 'track_audio_features',
        reason: `Spotify answered 403 Forbidden on /v1/audio-features${forbiddenDetail(error)}: the endpoint is closed to apps created after 27 November 2024 without extended access`,
      });
      x.progress('audio features', undefined, undefined, 'unavailable (403)');
      return;
    }
    const list = z.object({ audio_features: z.array(z.unknown()) }).safeParse(body);
    if (!list.success)
      throw new OperationFailed('Spotify answered audio features without `audio_features`', {
        hint: 'Check SPOTIFY_API_BASE_URL if it is set.',
      });
    for (const raw of list.data.audio_features) {
      if (raw === null) continue; // Spotify has no features for this track
      const features = x.parse('track_audio_features', audioFeaturesModel, raw);
      if (features) x.tables.track_audio_features.push(toRow.track_audio_features(features, x.at));
    }
    x.progress('audio features', Math.min(i + ids.length, trackIds.length), trackIds.length);
  }
}

/**
 * The artists of the tracks that no top list returned in full, 50 ids a call. Spotify's February 2026 changes closed
 * the batch endpoints to development-mode apps: after a 403 the rest go one artist a call, and an artist Spotify does
 * not know (404, 400) is rejected with its id.
 */
async function extractArtists(x: Extraction): Promise<void> {
  const missing = [...x.artistIds].filter((a) => !x.artists.has(a));
  x.progress('artists', 0, missing.length, `${x.artists.size} already returned by the top lists`);
  let batches = true;
  for (let i = 0; i < missing.length;) {
    if (batches) {
      const ids = missing.slice(i, i + SPOTIFY_PAGE.artists);
      try {
        const body = await x.page(z.object({ artists: z.array(z.unknown()) }), 'artists', '/v1/artists', {
          ids: ids.join(','),
        });
        body.artists.forEach((raw) => x.addArtist(raw));
        i += ids.length;
      } catch (error) {
        if (!(error instanceof SpotifyApiError) || error.status !== 403) throw error;
        batches = false;
        x.progress('artists', i, missing.length, 'batch endpoint refused (403): one artist a call');
        continue;
      }
    } else {
      const id = missing[i]!;
      try {
        x.addArtist(await x.api.get(`/v1/artists/${id}`, {}, x.signal));
      } catch (error) {
        if (!(error instanceof SpotifyApiError) || (error.status !== 404 && error.status !== 400)) throw error;
        x.reject('artists', `artist ${id}: Spotify answered ${error.status} (${spotifyErrorText(error.body)})`, { id });
      }
      i += 1;
    }
    x.progress('artists', i, missing.length);
  }
}
