import { z } from 'zod';
import { durationSchema, parseDuration } from './common.js';

export const migrationsSchema = z
  .strictObject({
    /** Holds `<target>/<version>_<name>.sql`; relative to the config file's folder. */
    dir: z.string().min(1).default('migrations'),
    /** How long `migrate up/down/baseline/repair` waits for another run's lock before naming its holder. */
    lockTimeout: durationSchema.default('30s'),
  })
  .prefault({});

export function lockTimeoutMs(section: { lockTimeout: string }): number {
  return parseDuration(section.lockTimeout) ?? 30_000;
}
