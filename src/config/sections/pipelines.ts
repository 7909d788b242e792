import { z } from 'zod';
import { nameSchema } from './common.js';
import { syncTableNameSchema, syncTableSchema } from './sync-tables.js';

/**
 * Pipelines that `opsctl etl run` runs, by name. Each kind owns its own schema; the Spotify pipeline and the
 * warehouse → database sync extend theirs in their own issues.
 */
export const spotifyPipelineSchema = z.strictObject({
  kind: z.literal('spotify'),
  /** `api` talks to the Spotify Web API; `sample` is the seeded demo source and must be chosen explicitly. */
  source: z.enum(['api', 'sample']).default('api'),
  enabled: z.boolean().default(true),
  /** The seeds' extraction limits; Spotify's own caps are 50 per page, 100 audio features and 50 artists per call. */
  limits: z
    .strictObject({
      playlists: z.number().int().min(0).max(10_000).default(20),
      tracksPerPlaylist: z.number().int().min(0).max(10_000).default(100),
      recentlyPlayed: z.number().int().min(0).max(50).default(50),
      topPerRange: z.number().int().min(0).max(50).default(20),
    })
    .prefault({}),
});

export const syncPipelineSchema = z.strictObject({
  kind: z.literal('sync'),
  /** The database target the tables are synced into. */
  target: nameSchema,
  enabled: z.boolean().default(true),
  /** Rows per batch read from the warehouse and copied into the staging table; memory is bounded by it. */
  batchSize: z.number().int().min(100).max(1_000_000).default(5_000),
  /** The target tables, by name: each is filled from its warehouse source by watermark (see src/pipelines/sync). */
  tables: z.record(syncTableNameSchema, syncTableSchema).prefault({}),
});

export const pipelineSchema = z.discriminatedUnion('kind', [spotifyPipelineSchema, syncPipelineSchema], {
  error: (issue) => (issue.code === 'invalid_union' ? 'kind must be one of "spotify", "sync"' : undefined),
});

export const pipelinesSchema = z.record(nameSchema, pipelineSchema).prefault({});
