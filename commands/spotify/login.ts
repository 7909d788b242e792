import { z } from 'zod';
import { openInBrowser, SPOTIFY_SCOPES, spotifyLogin } from '../../src/spotify/login.js';
import { spotifyTokenPath, writeStoredSpotifyToken } from '../../src/spotify/token-store.js';
import { defineOperation } from '../operation.js';

export interface SpotifyLoginResult {
  userId: string | null;
  displayName: string | null;
  scope: string;
  redirectUri: string;
  /** Where the refresh token was stored (mode 0600), or null with `print`. */
  storedAt: string | null;
  /** Only with `print`: the token to put in SPOTIFY_REFRESH_TOKEN. */
  refreshToken?: string;
}

/**
 * Authorization-code login: shows the consent URL (progress item `{authorizeUrl}`), receives the code on
 * http://127.0.0.1:PORT/callback, exchanges it and stores the refresh token in $OPSCTL_HOME (0600), or hands it back
 * with `print` for SPOTIFY_REFRESH_TOKEN.
 */
export const spotifyLoginOp = defineOperation({
  name: 'spotify.login',
  summary: 'Authorize opsctl to read your Spotify data and keep the refresh token',
  input: z.object({
    port: z.number().int().min(0).max(65535).optional(),
    timeoutSeconds: z.number().positive().max(3600).default(300),
    print: z.boolean().default(false),
    open: z.boolean().default(true),
    /** Also log the consent URL (stderr): for faces that do not render progress items, such as `--json`. */
    logUrl: z.boolean().default(false),
  }),
  async run(ctx, input): Promise<SpotifyLoginResult> {
    const { spotify } = ctx.config;
    ctx.progress({ phase: 'login', note: 'starting the loopback server' });
    const result = await spotifyLogin({
      clientId: spotify.clientId ?? '',
      clientSecret: spotify.clientSecret ?? '',
      accountsBaseUrl: spotify.accountsBaseUrl,
      apiBaseUrl: spotify.apiBaseUrl,
      port: input.port ?? spotify.redirectPort,
      timeoutMs: input.timeoutSeconds * 1000,
      signal: ctx.signal,
      onAuthorizeUrl: (url, redirectUri) => {
        if (input.logUrl)
          ctx.log.info('open this URL to authorize opsctl', { url, redirectUri, scopes: SPOTIFY_SCOPES.join(' ') });
        ctx.progress({
          phase: 'login',
          note: `waiting for the browser (${input.timeoutSeconds} s)`,
          item: { authorizeUrl: url, redirectUri },
        });
        if (input.open) openInBrowser(url);
      },
    });
    const common = {
      userId: result.userId,
      displayName: result.displayName,
      scope: result.scope,
      redirectUri: result.redirectUri,
    };
    if (input.print) return { ...common, storedAt: null, refreshToken: result.refreshToken };
    writeStoredSpotifyToken(ctx.config.home, {
      refreshToken: result.refreshToken,
      scope: result.scope,
      ...(result.userId ? { userId: result.userId } : {}),
    });
    return { ...common, storedAt: spotifyTokenPath(ctx.config.home) };
  },
});
