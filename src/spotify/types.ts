import type { Row } from '../warehouse/warehouse.js';
import type { SpotifyTableName } from './tables.js';

/** Extraction limits (the seeds' defaults; config may lower or raise them). */
export interface SpotifyLimits {
  playlists: number;
  tracksPerPlaylist: number;
  recentlyPlayed: number;
  topPerRange: number;
}

export interface SpotifyExtractOptions {
  signal: AbortSignal;
  /** Phase progress for the run (profile, playlists, tracks, audio features, artists, recently played, top). */
  onProgress?: (p: { phase: string; done?: number; total?: number; note?: string }) => void;
  /** The recently-played cursor from the previous run (ms since epoch, Spotify's `after`), null on the first run. */
  recentlyPlayedAfter: number | null;
  limits: SpotifyLimits;
}

/** A record that failed its zod model: quarantined with the reason and the raw API payload. */
export interface RejectedRecord {
  table: SpotifyTableName;
  reason: string;
  payload: unknown;
}

/** Everything one extraction produced, already validated and shaped as the warehouse tables' rows. */
export interface SpotifyExtract {
  /** Rows per table, with exactly the columns of SPOTIFY_TABLES and `extracted_at` set. */
  tables: Record<SpotifyTableName, Row[]>;
  rejected: RejectedRecord[];
  /** Tables the API refused (403 on audio features for apps created after November 2024) and why. */
  unavailable: Array<{ table: SpotifyTableName; reason: string }>;
  /** The cursor to keep for the next run: the newest played_at seen (ms since epoch), or the previous one. */
  recentlyPlayedAfter: number | null;
  /** HTTP requests made to the Web API (retries included), for the summary and the benchmark. */
  apiCalls: number;
}

export type SpotifyExtractor = (options: SpotifyExtractOptions) => Promise<SpotifyExtract>;
