import * as AuthenticationRequest from 'spotify-web-api-node/src/authentication-request.js';
import type { Params, RequestBuilder } from 'spotify-web-api-node/src/base-request.js';
import * as WebApiRequest from 'spotify-web-api-node/src/webapi-request.js';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import {
  DEFAULT_RETRY,
  sendWithRetry,
  SpotifyApiError,
  spotifyErrorText,
  type HttpResult,
  type RetryPolicy,
} from './http.js';

/**
 * The Spotify Web API client: spotify-web-api-node's request builders (auth header, paths, query and body
 * parameters) pointed at a configurable base URL and executed by src/spotify/http.ts. Nothing else in opsctl imports
 * spotify-web-api-node. Access tokens come from the refresh token and are refreshed shortly before they expire and
 * once when a call answers 401.
 */
export const SPOTIFY_API_BASE_URL = 'https://api.spotify.com';
export const SPOTIFY_ACCOUNTS_BASE_URL = 'https://accounts.spotify.com';
/** Refresh when the access token has less than this left. */
const EXPIRY_MARGIN_MS = 60_000;

export interface SpotifyClientOptions {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  apiBaseUrl?: string;
  accountsBaseUrl?: string;
  retry?: Partial<RetryPolicy>;
  /** Spotify may rotate the refresh token on refresh: the new one is handed here to be stored. */
  onRefreshToken?: (token: string) => void;
  onWait?: (ms: number, reason: string) => void;
  now?: () => number;
  /** An access token already in hand (the login's code exchange), used until it nears expiry. */
  accessToken?: { token: string; expiresIn: number };
}

/** The read-only surface the extractor needs; the sample source implements it too. */
export interface SpotifyApi {
  /** GET a Web API path (`/v1/me`) or a `next` link; returns the JSON body or throws SpotifyApiError. */
  get(pathOrUrl: string, query: Params, signal: AbortSignal): Promise<unknown>;
  /** Web API requests made so far, retries included (token requests to the accounts service not counted). */
  readonly apiCalls: number;
}

const tokenResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().positive(),
  refresh_token: z.string().min(1).optional(),
  scope: z.string().optional(),
});
export type TokenResponse = z.output<typeof tokenResponse>;

export function pointAt(builder: RequestBuilder, baseUrl: string, path: string): RequestBuilder {
  const base = new URL(baseUrl);
  const scheme = base.protocol.replace(':', '');
  const port = base.port ? Number(base.port) : scheme === 'https' ? 443 : 80;
  const prefix = base.pathname.replace(/\/+$/, '');
  return builder.withScheme(scheme).withHost(base.hostname).withPort(port).withPath(`${prefix}${path}`);
}

function basicAuth(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
}

/** POST to the accounts service's /api/token; shared by the refresh and the authorization-code exchange. */
export async function requestToken(
  options: {
    accountsBaseUrl?: string;
    clientId: string;
    clientSecret: string;
    retry?: Partial<RetryPolicy>;
    onAttempt?: () => void;
  },
  body: Params,
  signal: AbortSignal,
): Promise<TokenResponse> {
  const request = pointAt(
    AuthenticationRequest.builder(),
    options.accountsBaseUrl ?? SPOTIFY_ACCOUNTS_BASE_URL,
    '/api/token',
  )
    .withBodyParameters(body)
    .withHeaders({
      Authorization: basicAuth(options.clientId, options.clientSecret),
      'Content-Type': 'application/x-www-form-urlencoded',
    })
    .build();
  const result = await sendWithRetry(request, {
    method: 'POST',
    signal,
    policy: { ...DEFAULT_RETRY, ...options.retry },
    onAttempt: options.onAttempt,
  });
  if (result.status >= 400) {
    const text = spotifyErrorText(result.body);
    const grant = body.grant_type === 'refresh_token' ? 'the refresh token' : 'the authorization code';
    if (result.status === 400 || result.status === 401) {
      throw new ConfigError(`Spotify's accounts service refused ${grant} (HTTP ${result.status}: ${text})`, {
        hint:
          grant === 'the refresh token'
            ? 'Check SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET, and get a new refresh token with `opsctl spotify login` (it is revoked when the app access is removed).'
            : 'Check the client id and secret, and that the redirect URI is registered in the app settings on developer.spotify.com; then run `opsctl spotify login` again.',
      });
    }
    throw new SpotifyApiError(
      `Spotify's accounts service failed (HTTP ${result.status}: ${text})`,
      result.status,
      result.body,
      { hint: 'Spotify may be having trouble; run again later.' },
    );
  }
  const parsed = tokenResponse.safeParse(result.body);
  if (!parsed.success) {
    throw new SpotifyApiError("Spotify's accounts service answered without an access token", result.status, undefined, {
      hint: 'Check SPOTIFY_ACCOUNTS_BASE_URL if it is set.',
    });
  }
  return parsed.data;
}

export class SpotifyClient implements SpotifyApi {
  apiCalls = 0;
  tokenRequests = 0;
  private accessToken: string | undefined;
  private expiresAt = 0;
  private refreshToken: string;
  private readonly policy: RetryPolicy;
  private readonly apiBase: string;
  private readonly now: () => number;

  constructor(private readonly options: SpotifyClientOptions) {
    this.refreshToken = options.refreshToken;
    this.policy = { ...DEFAULT_RETRY, ...options.retry };
    this.apiBase = options.apiBaseUrl ?? SPOTIFY_API_BASE_URL;
    this.now = options.now ?? Date.now;
    if (options.accessToken) {
      this.accessToken = options.accessToken.token;
      this.expiresAt = this.now() + options.accessToken.expiresIn * 1000;
    }
  }

  private async refresh(signal: AbortSignal): Promise<string> {
    const token = await requestToken(
      { ...this.options, retry: this.policy, onAttempt: () => (this.tokenRequests += 1) },
      { grant_type: 'refresh_token', refresh_token: this.refreshToken },
      signal,
    );
    this.accessToken = token.access_token;
    this.expiresAt = this.now() + token.expires_in * 1000;
    if (token.refresh_token && token.refresh_token !== this.refreshToken) {
      this.refreshToken = token.refresh_token;
      this.options.onRefreshToken?.(token.refresh_token);
    }
    return token.access_token;
  }

  private async token(signal: AbortSignal): Promise<string> {
    if (this.accessToken && this.now() < this.expiresAt - EXPIRY_MARGIN_MS) return this.accessToken;
    return this.refresh(signal);
  }

  /** `next` links are absolute URLs on api.spotify.com: keep their path and query, on the configured base. */
  private target(pathOrUrl: string, query: Params): { path: string; query: Params } {
    if (!/^https?:\/\//.test(pathOrUrl)) return { path: pathOrUrl, query };
    const url = new URL(pathOrUrl);
    const prefix = new URL(this.apiBase).pathname.replace(/\/+$/, '');
    const path = prefix && url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
    return { path, query: { ...Object.fromEntries(url.searchParams), ...query } };
  }

  async get(pathOrUrl: string, query: Params, signal: AbortSignal): Promise<unknown> {
    const { path, query: params } = this.target(pathOrUrl, query);
    let refreshed = false;
    for (;;) {
      const token = await this.token(signal);
      const request = pointAt(WebApiRequest.builder(token), this.apiBase, path).withQueryParameters(params).build();
      const result: HttpResult = await sendWithRetry(request, {
        method: 'GET',
        signal,
        policy: this.policy,
        onAttempt: () => (this.apiCalls += 1),
        onWait: this.options.onWait,
      });
      if (result.status === 401 && !refreshed) {
        // The token expired early or was revoked: refresh once and try again.
        refreshed = true;
        this.accessToken = undefined;
        continue;
      }
      if (result.status >= 200 && result.status < 300) return result.body;
      throw apiError(path, result);
    }
  }
}

function apiError(path: string, result: HttpResult): SpotifyApiError {
  const text = spotifyErrorText(result.body);
  const hint =
    result.status === 401
      ? 'The access token was refused twice; get a new refresh token with `opsctl spotify login`.'
      : result.status === 403
        ? "The app or the user lacks access to this endpoint (scopes granted at login, or Spotify's restrictions for new apps)."
        : result.status === 429
          ? 'Spotify kept rate-limiting after the retries; run again later.'
          : result.status >= 500
            ? 'Spotify kept failing after the retries; run again later.'
            : 'Check the request limits in the pipeline config.';
  return new SpotifyApiError(
    `Spotify GET ${path} failed: HTTP ${result.status} (${text})`,
    result.status,
    result.body,
    { hint },
  );
}
