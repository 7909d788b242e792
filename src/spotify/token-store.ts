import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The refresh token `opsctl spotify login` stores in $OPSCTL_HOME (file mode 0600), read by config loading when
 * SPOTIFY_REFRESH_TOKEN is unset. Only node:fs here: config loading imports it.
 */
export const SPOTIFY_TOKEN_FILE = 'spotify-token.json';

export interface StoredSpotifyToken {
  refreshToken: string;
  scope?: string;
  userId?: string;
  storedAt: string;
}

export function spotifyTokenPath(home: string): string {
  return join(home, SPOTIFY_TOKEN_FILE);
}

/** The stored refresh token, or undefined when there is none (an unreadable or malformed file counts as none). */
export function readStoredSpotifyToken(home: string): StoredSpotifyToken | undefined {
  const path = spotifyTokenPath(home);
  if (!existsSync(path)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<StoredSpotifyToken>;
    return typeof parsed.refreshToken === 'string' && parsed.refreshToken ? (parsed as StoredSpotifyToken) : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the token with mode 0600 (written to a temporary file first, so a reader never sees half of it). */
export function writeStoredSpotifyToken(home: string, token: Omit<StoredSpotifyToken, 'storedAt'>): string {
  mkdirSync(home, { recursive: true });
  const path = spotifyTokenPath(home);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ ...token, storedAt: new Date().toISOString() }, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  return path;
}
