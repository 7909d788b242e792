import { readStoredFile, SPOTIFY_TOKEN_FILE, storedFilePath, writeStoredFile } from '../config/stored.js';

/**
 * The refresh token `opsctl spotify login` stores in $OPSCTL_HOME (file mode 0600). Config loading reads it as a
 * source of spotify.refreshToken when SPOTIFY_REFRESH_TOKEN is unset (src/config/stored.ts owns the file).
 */
export { SPOTIFY_TOKEN_FILE };

export interface StoredSpotifyToken {
  refreshToken: string;
  scope?: string;
  userId?: string;
  storedAt: string;
}

export function spotifyTokenPath(home: string): string {
  return storedFilePath(home, SPOTIFY_TOKEN_FILE);
}

/** The stored refresh token, or undefined when there is none (an unreadable or malformed file counts as none). */
export function readStoredSpotifyToken(home: string): StoredSpotifyToken | undefined {
  const stored = readStoredFile(home, SPOTIFY_TOKEN_FILE);
  return typeof stored?.refreshToken === 'string' && stored.refreshToken
    ? (stored as unknown as StoredSpotifyToken)
    : undefined;
}

/** Writes the token with mode 0600 (written to a temporary file first, so a reader never sees half of it). */
export function writeStoredSpotifyToken(home: string, token: Omit<StoredSpotifyToken, 'storedAt'>): string {
  return writeStoredFile(home, SPOTIFY_TOKEN_FILE, { ...token, storedAt: new Date().toISOString() });
}
