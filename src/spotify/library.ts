/**
 * A user's Spotify library held in memory, and the Web API's answers about it: the read endpoints the extractor uses,
 * with the documented shapes (paging objects with `href`/`next`/`offset`/`total`, the cursor-based paging of recently
 * played, `{error:{status,message}}` bodies) and limits (page sizes, 100 ids for audio features, 50 for artists).
 * The seeded sample source serves its generated library through it; the tests' fake Web API serves theirs over HTTP.
 */
export type Json = Record<string, unknown>;
export const TIME_RANGE_NAMES = ['short_term', 'medium_term', 'long_term'] as const;
export type TimeRangeName = (typeof TIME_RANGE_NAMES)[number];

export interface SpotifyLibrary {
  user: Json;
  /** Simplified playlist objects (the router fills in `tracks: {href,total}`) with their items (full track objects). */
  playlists: Array<{ playlist: Json; items: Json[] }>;
  artists: Map<string, Json>;
  audioFeatures: Map<string, Json>;
  /** Play history items newest first; `after` (ms) keeps only later plays. */
  recentlyPlayed(after: number | null, limit: number): Json[];
  top: { tracks: Record<TimeRangeName, Json[]>; artists: Record<TimeRangeName, Json[]> };
}

export interface RoutedResponse {
  status: number;
  body: unknown;
}

const error = (status: number, message: string): RoutedResponse => ({ status, body: { error: { status, message } } });

function pageOf(items: unknown[], url: URL, base: string, maxLimit: number, defaultLimit = 20): RoutedResponse {
  const limit = url.searchParams.has('limit') ? Number(url.searchParams.get('limit')) : defaultLimit;
  const offset = url.searchParams.has('offset') ? Number(url.searchParams.get('offset')) : 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) return error(400, 'Invalid limit');
  if (!Number.isInteger(offset) || offset < 0) return error(400, 'Invalid offset');
  const link = (o: number) => {
    const u = new URL(url.pathname, base);
    for (const [k, v] of url.searchParams) if (k !== 'offset' && k !== 'limit') u.searchParams.set(k, v);
    u.searchParams.set('offset', String(o));
    u.searchParams.set('limit', String(limit));
    return u.toString();
  };
  return {
    status: 200,
    body: {
      href: link(offset),
      items: items.slice(offset, offset + limit),
      limit,
      next: offset + limit < items.length ? link(offset + limit) : null,
      offset,
      previous: offset > 0 ? link(Math.max(0, offset - limit)) : null,
      total: items.length,
    },
  };
}

function idsOf(url: URL, max: number): string[] | RoutedResponse {
  const raw = url.searchParams.get('ids');
  if (!raw) return error(400, 'invalid request: ids missing');
  const ids = raw.split(',');
  if (ids.length > max) return error(400, 'Too many ids requested');
  return ids;
}

/** The Web API's answer for a GET on `url` (path and query), with `next` links on `base`. */
export function routeSpotifyApi(lib: SpotifyLibrary, url: URL, base: string): RoutedResponse {
  const path = url.pathname.replace(/\/+$/, '');
  if (path === '/v1/me') return { status: 200, body: lib.user };
  if (path === '/v1/me/playlists') {
    const playlists = lib.playlists.map(({ playlist, items }) => ({
      ...playlist,
      tracks: { href: new URL(`/v1/playlists/${String(playlist.id)}/items`, base).toString(), total: items.length },
    }));
    return pageOf(playlists, url, base, 50);
  }
  const items = path.match(/^\/v1\/playlists\/([^/]+)\/(tracks|items)$/);
  if (items) {
    const found = lib.playlists.find((p) => p.playlist.id === items[1]);
    if (!found) return error(404, 'Resource not found');
    // The current reference documents limit ≤ 50 (default 20) for /items; the retired /tracks took 100.
    return items[2] === 'items' ? pageOf(found.items, url, base, 50, 20) : pageOf(found.items, url, base, 100, 100);
  }
  if (path === '/v1/audio-features') {
    const ids = idsOf(url, 100);
    if (!Array.isArray(ids)) return ids;
    return { status: 200, body: { audio_features: ids.map((id) => lib.audioFeatures.get(id) ?? null) } };
  }
  const artist = path.match(/^\/v1\/artists\/([^/]+)$/);
  if (artist) {
    const found = lib.artists.get(artist[1]!);
    return found ? { status: 200, body: found } : error(404, 'Resource not found');
  }
  if (path === '/v1/artists') {
    const ids = idsOf(url, 50);
    if (!Array.isArray(ids)) return ids;
    return { status: 200, body: { artists: ids.map((id) => lib.artists.get(id) ?? null) } };
  }
  if (path === '/v1/me/player/recently-played') {
    const limit = url.searchParams.has('limit') ? Number(url.searchParams.get('limit')) : 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 50) return error(400, 'Invalid limit');
    const afterParam = url.searchParams.get('after');
    const after = afterParam === null ? null : Number(afterParam);
    if (after !== null && !Number.isFinite(after)) return error(400, 'Invalid after');
    const plays = lib.recentlyPlayed(after, limit);
    const times = plays.map((p) => Date.parse(String(p.played_at)));
    const self = new URL(url.pathname + url.search, base).toString();
    const before = times.length ? Math.min(...times) : null;
    return {
      status: 200,
      body: {
        href: self,
        items: plays,
        limit,
        next:
          before !== null && plays.length === limit
            ? new URL(`${url.pathname}?before=${before}&limit=${limit}`, base).toString()
            : null,
        cursors: times.length ? { after: String(Math.max(...times)), before: String(before) } : null,
      },
    };
  }
  const top = path.match(/^\/v1\/me\/top\/(tracks|artists)$/);
  if (top) {
    const range = (url.searchParams.get('time_range') ?? 'medium_term') as TimeRangeName;
    if (!TIME_RANGE_NAMES.includes(range)) return error(400, 'Invalid time range');
    return pageOf(lib.top[top[1] as 'tracks' | 'artists'][range], url, base, 50);
  }
  return error(404, 'Service not found');
}
