import type { Config } from '../config/load.js';
import { UsageError } from '../errors.js';
import type { SpotifyExtractor } from './types.js';

export type { SpotifyExtract, SpotifyExtractor, SpotifyExtractOptions, SpotifyLimits, RejectedRecord } from './types.js';
export { SPOTIFY_TABLES, SPOTIFY_TABLE_NAMES, type SpotifyTableName } from './tables.js';

/**
 * The extractor for a pipeline's source: `api` (the Web API with the configured credentials) or `sample` (the seeded
 * demo source, API-shaped records through the same transform). The client and the sample source arrive with issue 3.
 */
export async function createSpotifyExtractor(_config: Config, _source: 'api' | 'sample'): Promise<SpotifyExtractor> {
  throw new UsageError('the Spotify extractor is not part of this build of opsctl');
}
