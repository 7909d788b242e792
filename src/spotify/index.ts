import type { Config } from '../config/load.js';
import { ConfigError } from '../errors.js';
import { SpotifyClient } from './client.js';
import { extractSpotify } from './extract.js';
import { createSampleExtractor, type SampleOptions } from './sample.js';
import { readStoredSpotifyToken, writeStoredSpotifyToken } from './token-store.js';
import type { SpotifyExtractor } from './types.js';

export type {
  SpotifyExtract,
  SpotifyExtractor,
  SpotifyExtractOptions,
  SpotifyLimits,
  RejectedRecord,
} from './types.js';
export { SPOTIFY_TABLES, SPOTIFY_TABLE_NAMES, type SpotifyTableName } from './tables.js';

const HOW = {
  SPOTIFY_CLIENT_ID: 'create an app at developer.spotify.com/dashboard and copy its Client ID',
  SPOTIFY_CLIENT_SECRET: "copy the Client secret from the app's settings at developer.spotify.com/dashboard",
  SPOTIFY_REFRESH_TOKEN: 'run `opsctl spotify login` (it stores the token in $OPSCTL_HOME, or prints it with --print)',
} as const;

/** The three credentials of a real run, or a ConfigError naming each missing variable and how to get it. */
export function spotifyCredentials(config: Config): { clientId: string; clientSecret: string; refreshToken: string } {
  const { clientId, clientSecret, refreshToken } = config.spotify;
  const missing = (
    [
      ['SPOTIFY_CLIENT_ID', clientId],
      ['SPOTIFY_CLIENT_SECRET', clientSecret],
      ['SPOTIFY_REFRESH_TOKEN', refreshToken],
    ] as const
  ).filter(([, v]) => !v);
  if (missing.length) {
    throw new ConfigError(`Spotify credentials missing: ${missing.map(([n]) => n).join(', ')}`, {
      hint: `${missing.map(([n]) => `${n}: ${HOW[n]}`).join('; ')}. The sample source (pipeline "source": "sample") needs none.`,
      details: { missing: missing.map(([n]) => n) },
    });
  }
  return { clientId: clientId!, clientSecret: clientSecret!, refreshToken: refreshToken! };
}

/**
 * The extractor for a pipeline's source: `api` (the Web API with the configured credentials) or `sample` (the seeded
 * demo source, API-shaped records through the same transform). A real run never falls back to the sample.
 */
export async function createSpotifyExtractor(
  config: Config,
  source: 'api' | 'sample',
  sample: SampleOptions = {},
): Promise<SpotifyExtractor> {
  if (source === 'sample') return createSampleExtractor(sample);
  const credentials = spotifyCredentials(config);
  const stored = readStoredSpotifyToken(config.home);
  const fromFile = stored?.refreshToken === credentials.refreshToken;
  let refreshToken = credentials.refreshToken;
  return (options) => {
    const client = new SpotifyClient({
      ...credentials,
      refreshToken,
      apiBaseUrl: config.spotify.apiBaseUrl,
      accountsBaseUrl: config.spotify.accountsBaseUrl,
      onWait: (ms, reason) =>
        options.onProgress?.({ phase: 'waiting', note: `${reason}: retrying in ${(ms / 1000).toFixed(1)} s` }),
      // Spotify may rotate the refresh token: later runs use the new one, and the stored file keeps it when that is
      // where the token came from.
      onRefreshToken: (token) => {
        refreshToken = token;
        if (fromFile && stored) writeStoredSpotifyToken(config.home, { ...stored, refreshToken: token });
      },
    });
    return extractSpotify(client, options);
  };
}
