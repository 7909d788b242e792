import { z } from 'zod';
import type { Row } from '../warehouse/warehouse.js';

/**
 * zod models of the Web API objects opsctl reads, each turned into a row of its warehouse table (src/spotify/tables.ts)
 * with exactly that table's columns. Objects stay open (Spotify adds fields); what a column needs is checked.
 * TIMESTAMP columns are ISO strings in UTC with milliseconds, DATE columns YYYY-MM-DD, lists JSON-encoded strings.
 */
const id = z.string().regex(/^[A-Za-z0-9]{1,64}$/, 'not a Spotify id');
const nullish = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? null);
const count = z.number().int().min(0);
const unit = z.number().min(0).max(1);
const isoTime = z.iso.datetime({ offset: true }).transform((v) => new Date(v).toISOString());
const followers = nullish(z.object({ total: nullish(count) })).transform((f) => f?.total ?? null);

export const userModel = z.object({
  // User ids are usernames for older accounts (dots, underscores), base62 for newer ones.
  id: z.string().min(1).max(128),
  display_name: nullish(z.string()),
  email: nullish(z.string()),
  country: nullish(z.string()),
  product: nullish(z.string()),
  followers,
});

export const playlistModel = z.object({
  id,
  name: z.string(),
  description: nullish(z.string()),
  owner: nullish(z.object({ id: z.string() })),
  public: nullish(z.boolean()),
  collaborative: nullish(z.boolean()),
  snapshot_id: nullish(z.string()),
  // Spotify renamed the playlist's `tracks` reference to `items` in 2025; either carries the total.
  tracks: nullish(z.object({ total: count })),
  items: nullish(z.object({ total: count })),
});

const simpleArtist = z.object({ id, name: z.string().optional() });

export const trackModel = z.object({
  id,
  type: z.literal('track', { error: 'not a track (a podcast episode or a local file)' }).optional(),
  name: z.string(),
  album: nullish(z.object({ id: nullish(id), name: nullish(z.string()), release_date: nullish(z.string()) })),
  artists: z.array(simpleArtist),
  duration_ms: nullish(count),
  explicit: nullish(z.boolean()),
  popularity: nullish(z.number().int().min(0).max(100)),
  external_ids: nullish(z.object({ isrc: z.string().optional() })),
});

export const audioFeaturesModel = z.object({
  id,
  danceability: nullish(unit),
  energy: nullish(unit),
  key: nullish(z.number().int().min(-1).max(11)),
  loudness: nullish(z.number().max(10)),
  mode: nullish(z.number().int().min(0).max(1)),
  speechiness: nullish(unit),
  acousticness: nullish(unit),
  instrumentalness: nullish(unit),
  liveness: nullish(unit),
  valence: nullish(unit),
  tempo: nullish(z.number().min(0)),
  time_signature: nullish(z.number().int().min(0).max(12)),
  duration_ms: nullish(count),
});

export const artistModel = z.object({
  id,
  name: z.string(),
  genres: nullish(z.array(z.string())),
  popularity: nullish(z.number().int().min(0).max(100)),
  followers,
});

export const playlistTrackModel = z.preprocess(
  // Spotify's 2025 playlist changes name the entry `item` instead of `track`; read either.
  (raw) => (raw && typeof raw === 'object' && !('track' in raw) && 'item' in raw ? { ...raw, track: raw.item } : raw),
  z.object({
    added_at: nullish(isoTime),
    added_by: nullish(z.object({ id: z.string() })),
    is_local: z.boolean().optional(),
    track: z.object({ id }, { error: 'no track (removed, unavailable or a local file)' }),
  }),
);

export const playModel = z.object({
  played_at: isoTime,
  track: z.object({ id }),
  context: nullish(z.object({ type: nullish(z.string()), uri: nullish(z.string()) })),
});

export const topEntryModel = z.object({ id });

/** Row builders: the model's output plus the run's columns, in the table's column order. */
export const toRow = {
  users: (u: z.output<typeof userModel>, at: string): Row => ({
    user_id: u.id,
    display_name: u.display_name,
    email: u.email,
    country: u.country,
    product: u.product,
    followers: u.followers,
    extracted_at: at,
  }),
  playlists: (p: z.output<typeof playlistModel>, at: string): Row => ({
    playlist_id: p.id,
    name: p.name,
    description: p.description,
    owner_id: p.owner?.id ?? null,
    public: p.public,
    collaborative: p.collaborative,
    snapshot_id: p.snapshot_id,
    tracks_total: p.tracks?.total ?? p.items?.total ?? null,
    extracted_at: at,
  }),
  tracks: (t: z.output<typeof trackModel>, at: string): Row => ({
    track_id: t.id,
    name: t.name,
    album_id: t.album?.id ?? null,
    album_name: t.album?.name ?? null,
    album_release_date: t.album?.release_date ?? null,
    artist_ids: JSON.stringify(t.artists.map((a) => a.id)),
    duration_ms: t.duration_ms,
    explicit: t.explicit,
    popularity: t.popularity,
    isrc: t.external_ids?.isrc ?? null,
    extracted_at: at,
  }),
  track_audio_features: (f: z.output<typeof audioFeaturesModel>, at: string): Row => ({
    track_id: f.id,
    danceability: f.danceability,
    energy: f.energy,
    key: f.key,
    loudness: f.loudness,
    mode: f.mode,
    speechiness: f.speechiness,
    acousticness: f.acousticness,
    instrumentalness: f.instrumentalness,
    liveness: f.liveness,
    valence: f.valence,
    tempo: f.tempo,
    time_signature: f.time_signature,
    duration_ms: f.duration_ms,
    extracted_at: at,
  }),
  artists: (a: z.output<typeof artistModel>, at: string): Row => ({
    artist_id: a.id,
    name: a.name,
    genres: JSON.stringify(a.genres ?? []),
    popularity: a.popularity,
    followers: a.followers,
    extracted_at: at,
  }),
  playlist_tracks: (playlistId: string, position: number, e: z.output<typeof playlistTrackModel>, at: string): Row => ({
    playlist_id: playlistId,
    position,
    track_id: e.track.id,
    added_at: e.added_at,
    added_by: e.added_by?.id ?? null,
    extracted_at: at,
  }),
  recently_played: (userId: string, p: z.output<typeof playModel>, at: string): Row => ({
    user_id: userId,
    played_at: p.played_at,
    track_id: p.track.id,
    context_type: p.context?.type ?? null,
    context_uri: p.context?.uri ?? null,
    extracted_at: at,
  }),
  top: (
    userId: string,
    timeRange: string,
    rank: number,
    itemId: string,
    column: 'track_id' | 'artist_id',
    at: string,
  ): Row => ({
    user_id: userId,
    time_range: timeRange,
    snapshot_date: at.slice(0, 10),
    rank,
    [column]: itemId,
    extracted_at: at,
  }),
};

/** The first zod issue of a failed record, as one line for the quarantine. */
export function reasonOf(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || 'record'}: ${i.message}`)
    .join('; ');
}
