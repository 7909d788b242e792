import { z } from 'zod';

export const migrationsSchema = z
  .strictObject({
    /** Holds `<target>/<version>_<name>.sql`; relative to the config file's folder. */
    dir: z.string().min(1).default('migrations'),
  })
  .prefault({});
