import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as AuthenticationRequest from 'spotify-web-api-node/src/authentication-request.js';
import { CancelledError, ConfigError, OperationFailed, UsageError } from '../errors.js';
import { pointAt, requestToken, SPOTIFY_ACCOUNTS_BASE_URL, SpotifyClient } from './client.js';
import { urlOf } from './http.js';

/**
 * The authorization-code flow for `opsctl spotify login`: a one-shot loopback server on 127.0.0.1 receives the code
 * at /callback, the `state` parameter is checked, the code is exchanged for tokens, and /v1/me says who logged in.
 */
export const SPOTIFY_SCOPES = [
  'user-read-private',
  'user-read-email',
  'playlist-read-private',
  'playlist-read-collaborative',
  'user-read-recently-played',
  'user-top-read',
] as const;

export interface SpotifyLoginOptions {
  clientId: string;
  clientSecret: string;
  accountsBaseUrl?: string;
  apiBaseUrl?: string;
  /** Loopback port; 0 picks a free one (only works if the app accepts any port on 127.0.0.1). */
  port: number;
  timeoutMs: number;
  signal: AbortSignal;
  /** Called once the server listens: show the consent URL to the operator. */
  onAuthorizeUrl: (url: string, redirectUri: string) => void;
}

export interface SpotifyLoginResult {
  refreshToken: string;
  scope: string;
  redirectUri: string;
  userId: string | null;
  displayName: string | null;
}

const page = (title: string, text: string) =>
  `<!doctype html><meta charset="utf-8"><title>opsctl: ${title}</title><body style="font-family:sans-serif;margin:3em"><h1>${title}</h1><p>${text}</p></body>`;

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new UsageError(`port ${port} on 127.0.0.1 is in use`, {
              hint: 'Free it or pass --port N (and register http://127.0.0.1:N/callback as a redirect URI of the app).',
            })
          : error,
      );
    });
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** Waits for the browser's redirect: resolves with the code, or rejects on a wrong state, a refusal, the timeout or a cancel. */
function awaitCode(server: Server, state: string, timeoutMs: number, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const settle = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    const timer = setTimeout(() => {
      settle();
      reject(
        new OperationFailed(`no answer from the browser within ${Math.round(timeoutMs / 1000)} s`, {
          hint: 'Open the printed URL in a browser on this machine and approve the app; pass --timeout to wait longer.',
        }),
      );
    }, timeoutMs);
    const onAbort = () => {
      settle();
      reject(new CancelledError('login cancelled', { hint: 'Run `opsctl spotify login` again.' }));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    server.on('request', (req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/callback') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.setHeader('connection', 'close');
      if (url.searchParams.get('state') !== state) {
        res
          .writeHead(400)
          .end(
            page(
              'Login failed',
              'The state parameter does not match this login. Run <code>opsctl spotify login</code> again.',
            ),
          );
        settle();
        reject(
          new OperationFailed("the callback's state parameter does not match this login (a stale or forged redirect)", {
            hint: 'Run `opsctl spotify login` again and use the URL it prints.',
          }),
        );
        return;
      }
      const refused = url.searchParams.get('error');
      const code = url.searchParams.get('code');
      if (refused || !code) {
        res
          .writeHead(400)
          .end(page('Login refused', `Spotify answered: ${refused ?? 'no code'}. You can close this tab.`));
        settle();
        reject(
          new OperationFailed(`Spotify did not authorize opsctl: ${refused ?? 'no code in the callback'}`, {
            hint: 'Approve the app on the consent page; run `opsctl spotify login` again.',
          }),
        );
        return;
      }
      res
        .writeHead(200)
        .end(page('opsctl is connected to Spotify', 'You can close this tab and return to the terminal.'));
      settle();
      resolve(code);
    });
  });
}

export async function spotifyLogin(options: SpotifyLoginOptions): Promise<SpotifyLoginResult> {
  if (!options.clientId || !options.clientSecret) {
    const missing = [!options.clientId && 'SPOTIFY_CLIENT_ID', !options.clientSecret && 'SPOTIFY_CLIENT_SECRET']
      .filter(Boolean)
      .join(' and ');
    throw new ConfigError(`${missing} must be set to log in`, {
      hint: 'Create an app at developer.spotify.com/dashboard, add http://127.0.0.1:8888/callback as a redirect URI, and set its Client ID and secret.',
    });
  }
  const server = createServer();
  try {
    const port = await listen(server, options.port);
    const redirectUri = `http://127.0.0.1:${port}/callback`;
    const state = randomBytes(16).toString('hex');
    const authorize = pointAt(
      AuthenticationRequest.builder(),
      options.accountsBaseUrl ?? SPOTIFY_ACCOUNTS_BASE_URL,
      '/authorize',
    )
      .withQueryParameters({
        client_id: options.clientId,
        response_type: 'code',
        redirect_uri: redirectUri,
        scope: SPOTIFY_SCOPES.join(' '),
        state,
      })
      .build();
    const waiting = awaitCode(server, state, options.timeoutMs, options.signal);
    waiting.catch(() => undefined); // awaited below; this keeps a failure before that from being unhandled
    options.onAuthorizeUrl(urlOf(authorize), redirectUri);
    const code = await waiting;
    const token = await requestToken(
      options,
      { grant_type: 'authorization_code', code, redirect_uri: redirectUri },
      options.signal,
    );
    if (!token.refresh_token)
      throw new OperationFailed('Spotify returned no refresh token', { hint: 'Run `opsctl spotify login` again.' });
    const client = new SpotifyClient({
      ...options,
      refreshToken: token.refresh_token,
      accessToken: { token: token.access_token, expiresIn: token.expires_in },
    });
    const me = (await client.get('/v1/me', {}, options.signal)) as { id?: unknown; display_name?: unknown };
    return {
      refreshToken: token.refresh_token,
      scope: token.scope ?? '',
      redirectUri,
      userId: typeof me.id === 'string' ? me.id : null,
      displayName: typeof me.display_name === 'string' ? me.display_name : null,
    };
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

/** Best effort: open the URL in the desktop's browser (xdg-open, open, start). Failing is fine: the URL is printed. */
export function openInBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // no browser here: the operator opens the printed URL
  }
}
