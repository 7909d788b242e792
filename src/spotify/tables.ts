import type { ColumnDef, TableDef } from '../warehouse/tables.js';

/**
 * The nine warehouse tables of the Spotify pipeline (the seeds' schema), shared by the transform (which produces rows
 * with exactly these columns), the DuckDB and BigQuery adapters (which create them) and retention. Lists of ids
 * (artist_ids, genres) are JSON-encoded strings so both warehouses store them the same way.
 */
const extractedAt: ColumnDef = {
  name: 'extracted_at',
  type: 'TIMESTAMP',
  required: true,
  description: 'when opsctl extracted the row',
};
const req = (name: string, type: ColumnDef['type']): ColumnDef => ({ name, type, required: true });
const opt = (name: string, type: ColumnDef['type']): ColumnDef => ({ name, type });

export const SPOTIFY_TABLES = {
  users: {
    name: 'users',
    key: ['user_id'],
    columns: [
      req('user_id', 'STRING'),
      opt('display_name', 'STRING'),
      opt('email', 'STRING'),
      opt('country', 'STRING'),
      opt('product', 'STRING'),
      opt('followers', 'INT64'),
      extractedAt,
    ],
  },
  playlists: {
    name: 'playlists',
    key: ['playlist_id'],
    columns: [
      req('playlist_id', 'STRING'),
      req('name', 'STRING'),
      opt('description', 'STRING'),
      opt('owner_id', 'STRING'),
      opt('public', 'BOOL'),
      opt('collaborative', 'BOOL'),
      opt('snapshot_id', 'STRING'),
      opt('tracks_total', 'INT64'),
      extractedAt,
    ],
  },
  tracks: {
    name: 'tracks',
    key: ['track_id'],
    columns: [
      req('track_id', 'STRING'),
      req('name', 'STRING'),
      opt('album_id', 'STRING'),
      opt('album_name', 'STRING'),
      opt('album_release_date', 'STRING'),
      opt('artist_ids', 'STRING'),
      opt('duration_ms', 'INT64'),
      opt('explicit', 'BOOL'),
      opt('popularity', 'INT64'),
      opt('isrc', 'STRING'),
      extractedAt,
    ],
  },
  track_audio_features: {
    name: 'track_audio_features',
    key: ['track_id'],
    columns: [
      req('track_id', 'STRING'),
      opt('danceability', 'FLOAT64'),
      opt('energy', 'FLOAT64'),
      opt('key', 'INT64'),
      opt('loudness', 'FLOAT64'),
      opt('mode', 'INT64'),
      opt('speechiness', 'FLOAT64'),
      opt('acousticness', 'FLOAT64'),
      opt('instrumentalness', 'FLOAT64'),
      opt('liveness', 'FLOAT64'),
      opt('valence', 'FLOAT64'),
      opt('tempo', 'FLOAT64'),
      opt('time_signature', 'INT64'),
      opt('duration_ms', 'INT64'),
      extractedAt,
    ],
  },
  artists: {
    name: 'artists',
    key: ['artist_id'],
    columns: [
      req('artist_id', 'STRING'),
      req('name', 'STRING'),
      opt('genres', 'STRING'),
      opt('popularity', 'INT64'),
      opt('followers', 'INT64'),
      extractedAt,
    ],
  },
  playlist_tracks: {
    name: 'playlist_tracks',
    key: ['playlist_id', 'position'],
    columns: [
      req('playlist_id', 'STRING'),
      req('position', 'INT64'),
      req('track_id', 'STRING'),
      opt('added_at', 'TIMESTAMP'),
      opt('added_by', 'STRING'),
      extractedAt,
    ],
  },
  recently_played: {
    name: 'recently_played',
    key: ['user_id', 'played_at'],
    partitionBy: { column: 'played_at', type: 'DAY' },
    columns: [
      req('user_id', 'STRING'),
      req('played_at', 'TIMESTAMP'),
      req('track_id', 'STRING'),
      opt('context_type', 'STRING'),
      opt('context_uri', 'STRING'),
      extractedAt,
    ],
  },
  top_tracks: {
    name: 'top_tracks',
    key: ['user_id', 'time_range', 'snapshot_date', 'rank'],
    partitionBy: { column: 'extracted_at', type: 'DAY' },
    columns: [
      req('user_id', 'STRING'),
      req('time_range', 'STRING'),
      req('snapshot_date', 'DATE'),
      req('rank', 'INT64'),
      req('track_id', 'STRING'),
      extractedAt,
    ],
  },
  top_artists: {
    name: 'top_artists',
    key: ['user_id', 'time_range', 'snapshot_date', 'rank'],
    partitionBy: { column: 'extracted_at', type: 'DAY' },
    columns: [
      req('user_id', 'STRING'),
      req('time_range', 'STRING'),
      req('snapshot_date', 'DATE'),
      req('rank', 'INT64'),
      req('artist_id', 'STRING'),
      extractedAt,
    ],
  },
} satisfies Record<string, TableDef>;

export type SpotifyTableName = keyof typeof SPOTIFY_TABLES;
export const SPOTIFY_TABLE_NAMES = Object.keys(SPOTIFY_TABLES) as SpotifyTableName[];
