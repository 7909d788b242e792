import type { z } from 'zod';
import { OperationFailed, throwIfAborted } from '../errors.js';
import type { Row } from '../warehouse/warehouse.js';
import type { SpotifyApi } from './client.js';
import { artistModel, reasonOf, toRow, trackModel } from './models.js';
import { SPOTIFY_TABLE_NAMES, type SpotifyTableName } from './tables.js';
import type { RejectedRecord, SpotifyExtract, SpotifyExtractOptions } from './types.js';

/** The `id` of a raw API object, when it has a string one. */
export const recordId = (raw: unknown): string | undefined =>
  raw && typeof raw === 'object' && typeof (raw as { id?: unknown }).id === 'string'
    ? (raw as { id: string }).id
    : undefined;

/**
 * The state of one extraction, shared by its steps (extract.ts): the rows per table, what was rejected or
 * unavailable, and the tracks and artists seen anywhere (playlists, plays, top lists), each validated once.
 */
export class Extraction {
  readonly at: string;
  readonly tables = Object.fromEntries(SPOTIFY_TABLE_NAMES.map((t) => [t, [] as Row[]])) as Record<
    SpotifyTableName,
    Row[]
  >;
  readonly rejected: RejectedRecord[] = [];
  readonly unavailable: SpotifyExtract['unavailable'] = [];
  readonly tracks = new Map<string, Row>();
  readonly artists = new Map<string, Row>();
  /** Artists named by a track, to fetch when no top list returned them in full. */
  readonly artistIds = new Set<string>();
  private readonly rejectedKeys = new Set<string>();

  constructor(
    readonly api: SpotifyApi,
    readonly options: SpotifyExtractOptions,
    now: () => number,
  ) {
    this.at = new Date(now()).toISOString();
  }

  get signal(): AbortSignal {
    return this.options.signal;
  }

  get limits(): SpotifyExtractOptions['limits'] {
    return this.options.limits;
  }

  progress(phase: string, done?: number, total?: number, note?: string): void {
    this.options.onProgress?.({ phase, done, total, note });
  }

  /** Sets a record aside with the reason; a record with an id is rejected once per table however often it is seen. */
  reject(table: SpotifyTableName, reason: string, payload: unknown): void {
    const key = recordId(payload);
    if (key !== undefined) {
      if (this.rejectedKeys.has(`${table}:${key}`)) return;
      this.rejectedKeys.add(`${table}:${key}`);
    }
    this.rejected.push({ table, reason, payload });
  }

  /** The record through its zod model, or undefined after rejecting it (`where` prefixes the reason). */
  parse<S extends z.ZodType>(table: SpotifyTableName, model: S, raw: unknown, where = ''): z.output<S> | undefined {
    const result = model.safeParse(raw);
    if (result.success) return result.data;
    this.reject(table, `${where}${reasonOf(result.error)}`, raw);
    return undefined;
  }

  /** One GET whose envelope must have `shape`; an unexpected envelope fails the run (the API changed or is wrong). */
  async page<S extends z.ZodType>(
    shape: S,
    what: string,
    pathOrUrl: string,
    query: Record<string, string | number | undefined> = {},
  ): Promise<z.output<S>> {
    throwIfAborted(this.signal);
    const body = await this.api.get(pathOrUrl, query, this.signal);
    const parsed = shape.safeParse(body);
    if (!parsed.success)
      throw new OperationFailed(`Spotify answered ${what} with an unexpected shape: ${reasonOf(parsed.error)}`, {
        hint: 'Check SPOTIFY_API_BASE_URL if it is set; otherwise the Web API changed.',
      });
    return parsed.data;
  }

  /** A full track object from anywhere: kept once, and its artists noted for the artists step. */
  addTrack(raw: unknown): void {
    const key = recordId(raw);
    if (key !== undefined && this.tracks.has(key)) return;
    const track = this.parse('tracks', trackModel, raw);
    if (!track) return;
    this.tracks.set(track.id, toRow.tracks(track, this.at));
    for (const a of track.artists) this.artistIds.add(a.id);
  }

  /** A full artist object (null: Spotify has none for that id). */
  addArtist(raw: unknown): void {
    if (raw === null) return;
    const artist = this.parse('artists', artistModel, raw);
    if (artist && !this.artists.has(artist.id)) this.artists.set(artist.id, toRow.artists(artist, this.at));
  }
}
