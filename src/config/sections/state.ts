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
    /**
     * How many days of history the store keeps, per kind (null keeps it forever). Applied after each `etl run` and by
     * `opsctl state prune`; a run still running and the last run of each operation and pipeline always stay.
     */
    retention: z
      .strictObject({
        runs: days(400),
        executionLog: days(400),
        quarantine: days(90),
        loadtestSamples: days(90),
        meteredJobs: days(400),
      })
      .prefault({}),
  })
  .prefault({});

function days(fallback: number) {
  return z.number().int().min(1).max(36_500).nullable().default(fallback);
}
