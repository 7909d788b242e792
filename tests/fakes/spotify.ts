// A local fake of the Spotify Web API and accounts service, on one port, following the documented contract:
// - accounts: GET /authorize (302 to redirect_uri with code+state, or error=access_denied), POST /api/token
//   (application/x-www-form-urlencoded, client credentials in a Basic header; grants authorization_code and
//   refresh_token; errors {"error":"invalid_grant","error_description":…} with 400);
// - Web API: Bearer tokens (401 {"error":{"status":401,"message":"The access token expired"}} once expired), the read
//   endpoints with paging objects and `next` links (src/spotify/library.ts serves the library), 403 on audio features
//   when the app lacks access, scripted 429 with Retry-After, 5xx and dropped connections.
// With developmentMode it answers as Spotify does since February 2026 for development-mode apps.
// Every request is logged with its time, status and token so tests assert what Spotify saw.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { routeSpotifyApi, type SpotifyLibrary } from '../../src/spotify/library.js';

export interface FakeRequest {
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  /** The bearer token (Web API) or the grant type (accounts). */
  token?: string;
  grantType?: string;
}

export type Scripted = { status: number; headers?: Record<string, string>; body?: unknown } | 'drop';

export interface SpotifyFakeOptions {
  library: SpotifyLibrary;
  clientId?: string;
  clientSecret?: string;
  refreshToken?: string;
  /** Lifetime of issued access tokens in seconds (Spotify: 3600). */
  expiresIn?: number;
  /** Answer 403 on /v1/audio-features, as Spotify does for apps created after November 2024. */
  audioFeaturesForbidden?: boolean;
  /** Issue a new refresh token on each refresh (Spotify may rotate it). */
  rotateRefreshToken?: boolean;
  /** The consent page's answer: approve (default) or deny. */
  consent?: 'approve' | 'deny';
  /**
   * A development-mode app after Spotify's February 2026 changes: 403 on /playlists/{id}/tracks, on batch /artists,
   * on audio features, and on the items of playlists the user neither owns nor collaborates on; playlist entries carry
   * `item` instead of `track`, playlists `items` instead of `tracks`; /me and artists lose the removed fields.
   */
  developmentMode?: boolean;
}

export interface SpotifyFake {
  url: string;
  requests: FakeRequest[];
  /** Web API requests only (paths under /v1). */
  apiRequests(): FakeRequest[];
  /** The next requests whose path starts with `prefix` get these answers, in order, instead of the real one. */
  script(prefix: string, answers: Scripted[]): void;
  /** Every access token issued so far expires now. */
  expireAccessTokens(): void;
  /** Refresh tokens the fake accepts (the initial one, those issued by code exchange or rotation). */
  refreshTokens: Set<string>;
  onRequest?: (r: FakeRequest) => void;
  close(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
};

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

/** The February 2026 shapes: renamed `tracks` → `items` and `track` → `item`, removed profile and artist fields. */
function developmentModeBody(path: string, body: unknown): unknown {
  const b = body as Record<string, unknown> & { items?: Array<Record<string, unknown>> };
  const without = (o: Record<string, unknown>, keys: string[]) =>
    Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
  if (path === '/v1/me') return without(b, ['country', 'email', 'product', 'followers']);
  if (path === '/v1/me/playlists')
    return { ...b, items: b.items!.map(({ tracks, ...p }) => ({ ...p, items: tracks })) };
  if (/^\/v1\/playlists\/[^/]+\/items$/.test(path))
    return { ...b, items: b.items!.map(({ track, ...e }) => ({ ...e, item: track })) };
  if (/^\/v1\/artists\/[^/]+$/.test(path)) return without(b, ['popularity', 'followers']);
  return body;
}

export async function startSpotifyFake(options: SpotifyFakeOptions): Promise<SpotifyFake> {
  const clientId = options.clientId ?? 'fake-client-id';
  const clientSecret = options.clientSecret ?? 'fake-client-secret';
  const tokens = new Map<string, number>(); // access token → expires at (ms)
  const codes = new Map<string, { redirect: string; scope: string }>(); // code → what /authorize was asked
  const scripts: Array<{ prefix: string; answers: Scripted[] }> = [];
  const requests: FakeRequest[] = [];
  const issue = (prefix: string) => `${prefix}-${randomBytes(8).toString('hex')}`;
  let base = '';

  const log = (req: IncomingMessage, url: URL, status: number, extra: Partial<FakeRequest> = {}) => {
    const entry: FakeRequest = {
      at: Date.now(),
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status,
      ...extra,
    };
    requests.push(entry);
    fake.onRequest?.(entry);
  };

  const tokenGrant = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const form = new URLSearchParams(await readBody(req));
    const grantType = form.get('grant_type') ?? '';
    const fail = (status: number, error: string, description: string) => {
      log(req, url, status, { grantType });
      json(res, status, { error, error_description: description });
    };
    const basic = (req.headers.authorization ?? '').replace(/^Basic /, '');
    const [id, secret] = Buffer.from(basic, 'base64').toString().split(':');
    if (id !== clientId || secret !== clientSecret) return fail(400, 'invalid_client', 'Invalid client secret');
    if ((req.headers['content-type'] ?? '').split(';')[0] !== 'application/x-www-form-urlencoded')
      return fail(400, 'invalid_request', 'content type');
    const access = issue('access');
    tokens.set(access, Date.now() + (options.expiresIn ?? 3600) * 1000);
    if (grantType === 'refresh_token') {
      const rt = form.get('refresh_token') ?? '';
      if (!fake.refreshTokens.has(rt)) return fail(400, 'invalid_grant', 'Invalid refresh token');
      const body: Record<string, unknown> = {
        access_token: access,
        token_type: 'Bearer',
        expires_in: options.expiresIn ?? 3600,
        scope: 'user-read-private user-top-read',
      };
      if (options.rotateRefreshToken) {
        const next = issue('refresh');
        fake.refreshTokens.delete(rt);
        fake.refreshTokens.add(next);
        body.refresh_token = next;
      }
      log(req, url, 200, { grantType });
      return json(res, 200, body);
    }
    if (grantType === 'authorization_code') {
      const code = form.get('code') ?? '';
      if (!codes.has(code)) return fail(400, 'invalid_grant', 'Invalid authorization code');
      const asked = codes.get(code)!;
      if (asked.redirect !== form.get('redirect_uri')) return fail(400, 'invalid_grant', 'Invalid redirect URI');
      codes.delete(code);
      const refresh = issue('refresh');
      fake.refreshTokens.add(refresh);
      log(req, url, 200, { grantType });
      return json(res, 200, {
        access_token: access,
        token_type: 'Bearer',
        expires_in: options.expiresIn ?? 3600,
        refresh_token: refresh,
        scope: asked.scope,
      });
    }
    return fail(400, 'unsupported_grant_type', `grant_type ${grantType} is not supported`);
  };

  const authorize = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const redirect = url.searchParams.get('redirect_uri') ?? '';
    if (
      url.searchParams.get('client_id') !== clientId ||
      url.searchParams.get('response_type') !== 'code' ||
      !redirect
    ) {
      log(req, url, 400);
      res.writeHead(400, { 'content-type': 'text/plain' }).end('INVALID_CLIENT: Invalid client or redirect URI');
      return;
    }
    const target = new URL(redirect);
    const state = url.searchParams.get('state');
    if (options.consent === 'deny') target.searchParams.set('error', 'access_denied');
    else {
      const code = issue('code');
      codes.set(code, { redirect, scope: url.searchParams.get('scope') ?? '' });
      target.searchParams.set('code', code);
    }
    if (state !== null) target.searchParams.set('state', state);
    log(req, url, 302);
    res.writeHead(302, { location: target.toString() }).end();
  };

  const api = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    const scripted = scripts.find((s) => url.pathname.startsWith(s.prefix) && s.answers.length);
    if (scripted) {
      const answer = scripted.answers.shift()!;
      if (answer === 'drop') {
        log(req, url, 0, { token });
        req.socket.destroy();
        return;
      }
      log(req, url, answer.status, { token });
      json(
        res,
        answer.status,
        answer.body ?? {
          error: { status: answer.status, message: answer.status === 429 ? 'API rate limit exceeded' : 'Server error' },
        },
        answer.headers,
      );
      return;
    }
    const expires = tokens.get(token);
    if (expires === undefined || Date.now() >= expires) {
      log(req, url, 401, { token });
      json(res, 401, {
        error: {
          status: 401,
          message:
            expires === undefined ? (token ? 'Invalid access token' : 'No token provided') : 'The access token expired',
        },
      });
      return;
    }
    if (options.audioFeaturesForbidden && url.pathname.startsWith('/v1/audio-features')) {
      log(req, url, 403, { token });
      json(res, 403, { error: { status: 403 } }); // what Spotify sends since November 2024: no message
      return;
    }
    if (options.developmentMode) {
      const items = url.pathname.match(/^\/v1\/playlists\/([^/]+)\/items$/);
      const owned = (id: string) => {
        const p = options.library.playlists.find((x) => x.playlist.id === id)?.playlist;
        return (
          !p || (p.owner as { id?: string } | undefined)?.id === options.library.user.id || p.collaborative === true
        );
      };
      if (
        /^\/v1\/playlists\/[^/]+\/tracks$/.test(url.pathname) ||
        url.pathname === '/v1/artists' ||
        url.pathname.startsWith('/v1/audio-features') ||
        (items && !owned(items[1]!))
      ) {
        log(req, url, 403, { token });
        json(res, 403, { error: { status: 403, message: 'Forbidden' } });
        return;
      }
    }
    const { status, body } = routeSpotifyApi(options.library, url, base);
    log(req, url, status, { token });
    json(res, status, options.developmentMode && status === 200 ? developmentModeBody(url.pathname, body) : body);
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    if (req.method === 'POST' && url.pathname === '/api/token') return void tokenGrant(req, res, url);
    if (req.method === 'GET' && url.pathname === '/authorize') return authorize(req, res, url);
    if (req.method === 'GET' && url.pathname.startsWith('/v1/')) return api(req, res, url);
    log(req, url, 404);
    json(res, 404, { error: { status: 404, message: 'Service not found' } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fake: SpotifyFake = {
    url: base,
    requests,
    apiRequests: () => requests.filter((r) => r.path.startsWith('/v1/')),
    script: (prefix, answers) => scripts.push({ prefix, answers: [...answers] }),
    expireAccessTokens: () => {
      for (const key of tokens.keys()) tokens.set(key, 0);
    },
    refreshTokens: new Set([options.refreshToken ?? 'fake-refresh-token']),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}

export interface LibrarySpec {
  playlistSizes: number[];
  trackPool: number;
  artistPool: number;
  /** Plays, one every three minutes, the newest at playsEndAt. */
  plays?: number;
  playsEndAt?: number;
  /** Entries per top list (Spotify holds up to 50 per time range). */
  top?: number;
  /** Indices of playlists the user follows but someone else owns. */
  foreignPlaylists?: number[];
}

type Json = Record<string, unknown>;
const pad = (prefix: string, i: number) => `${prefix}${String(i).padStart(6, '0')}`;

/** A regular library of the given size: deterministic ids (trk000001, art000001, pl0000001), valid records. */
export function makeLibrary(spec: LibrarySpec): SpotifyLibrary & { trackList: Json[]; plays: Json[] } {
  const user = {
    id: 'listener',
    display_name: 'A Listener',
    email: 'listener@example.com',
    country: 'SE',
    product: 'premium',
    followers: { href: null, total: 7 },
    type: 'user',
    uri: 'spotify:user:listener',
  };
  const artistList: Json[] = Array.from({ length: spec.artistPool }, (_, i) => ({
    id: pad('art', i),
    name: `Artist ${i}`,
    genres: [`genre ${i % 5}`],
    popularity: i % 100,
    followers: { href: null, total: i * 10 },
    type: 'artist',
    uri: `spotify:artist:${pad('art', i)}`,
  }));
  const trackList: Json[] = Array.from({ length: spec.trackPool }, (_, i) => {
    const artistIds = [...new Set([i % spec.artistPool, (i * 7 + 3) % spec.artistPool])];
    return {
      id: pad('trk', i),
      name: `Track ${i}`,
      type: 'track',
      uri: `spotify:track:${pad('trk', i)}`,
      duration_ms: 180_000 + i,
      explicit: i % 2 === 0,
      popularity: i % 100,
      album: { id: pad('alb', i % 40), name: `Album ${i % 40}`, release_date: '2020-05-01', type: 'album' },
      artists: artistIds.map((a) => ({ id: pad('art', a), name: `Artist ${a}`, type: 'artist' })),
      external_ids: { isrc: `SE${String(i).padStart(10, '0')}` },
    };
  });
  const playlists = spec.playlistSizes.map((size, p) => ({
    playlist: {
      id: pad('pl0', p),
      name: `Playlist ${p}`,
      description: '',
      public: true,
      collaborative: false,
      snapshot_id: `snap${p}`,
      owner: { id: spec.foreignPlaylists?.includes(p) ? 'someone.else' : 'listener', type: 'user' },
      type: 'playlist',
    },
    items: Array.from({ length: size }, (_, k) => ({
      added_at: '2025-03-04T05:06:07Z',
      added_by: { id: 'listener' },
      is_local: false,
      track: trackList[(p * 31 + k) % spec.trackPool],
    })),
  }));
  const end = spec.playsEndAt ?? Date.parse('2026-11-30T12:00:00Z');
  const plays: Json[] = Array.from({ length: spec.plays ?? 60 }, (_, i) => ({
    track: trackList[i % spec.trackPool],
    played_at: new Date(end - i * 180_000).toISOString(),
    context: i % 2 ? null : { type: 'playlist', uri: 'spotify:playlist:pl0000000' },
  }));
  const n = spec.top ?? 50;
  const range = (list: Json[], shift: number) => list.slice(shift, shift + n);
  return {
    user,
    playlists,
    trackList,
    plays,
    artists: new Map(artistList.map((a) => [a.id as string, a])),
    audioFeatures: new Map(
      trackList.map((t, i) => [
        t.id as string,
        {
          id: t.id,
          danceability: 0.5,
          energy: (i % 10) / 10,
          key: i % 12,
          loudness: -6.5,
          mode: i % 2,
          speechiness: 0.05,
          acousticness: 0.1,
          instrumentalness: 0,
          liveness: 0.1,
          valence: 0.4,
          tempo: 120,
          time_signature: 4,
          duration_ms: 180_000 + i,
          type: 'audio_features',
        },
      ]),
    ),
    recentlyPlayed: (after, limit) =>
      plays.filter((p) => after === null || Date.parse(p.played_at as string) > after).slice(0, limit),
    top: {
      tracks: { short_term: range(trackList, 0), medium_term: range(trackList, 5), long_term: range(trackList, 10) },
      artists: { short_term: range(artistList, 0), medium_term: range(artistList, 2), long_term: range(artistList, 4) },
    },
  };
}
