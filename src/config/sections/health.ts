import { z } from 'zod';
import { durationSchema } from './common.js';

/**
 * Database vitals thresholds, for every target. The defaults are the seeds': the recommendation API alerts when MySQL
 * connections pass 150; a target also counts as near its limit past 80 % of its max_connections; queries over 1 s are
 * slow.
 */
export const healthSchema = z
  .strictObject({
    connections: z
      .strictObject({
        /** Crossed when connections in use pass this share of max_connections (percent). */
        percent: z.number().min(1).max(100).default(80),
        /** Crossed when connections in use pass this count, whatever max_connections is (null: off). */
        max: z.number().int().min(1).nullable().default(150),
      })
      .prefault({}),
    /** A running query older than this is long-running; a statement slower than this on average is slow. */
    slowQuery: durationSchema.default('1s'),
  })
  .prefault({});

export type HealthConfig = z.output<typeof healthSchema>;
