import { z } from 'zod';

export const backupsSchema = z
  .strictObject({
    /** Default `<OPSCTL_HOME>/backups`. */
    dir: z.string().min(1).optional(),
  })
  .prefault({});
