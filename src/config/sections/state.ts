import { z } from 'zod';

export const stateSchema = z
  .strictObject({
    /** `sqlite:/path/state.db` (default: a file in OPSCTL_HOME) or `postgres://user:pass@host/db`. */
    url: z
      .string()
      .refine((v) => /^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(v), {
        message: 'must start with sqlite:, postgres:// or postgresql://',
      })
      .optional(),
  })
  .prefault({});
