import { z } from 'zod';
import { nameSchema } from '../../src/config/sections/common.js';
import { listRuns, type LoadTestRun } from '../../src/loadtest/store.js';
import { defineOperation } from '../operation.js';

export interface LoadtestHistory {
  runs: LoadTestRun[];
  /**
   * Configured profiles with whether each gates `opsctl validate`, for faces that list profiles beside runs, and the
   * load each sends (the console shows it before starting one).
   */
  profiles: Array<{
    name: string;
    url: string;
    method: string;
    model: 'closed' | 'open';
    /** Closed model: sockets kept busy. */
    connections: number;
    /** Open model: requests per second. */
    rate: number | null;
    /** How the run is bounded: a duration, a request count, both (the first reached), or neither (10 s). */
    duration: string | null;
    requests: number | null;
    warmup: string;
    gate: boolean;
    thresholds: string[];
  }>;
}

/** Stored load-test runs, newest first. */
export const loadtestHistory = defineOperation({
  name: 'loadtest.history',
  summary: 'Stored load-test runs, newest first',
  input: z.object({
    profile: nameSchema.optional(),
    url: z.string().optional(),
    limit: z.number().int().min(1).max(1000).optional(),
  }),
  async run(ctx, input): Promise<LoadtestHistory> {
    const store = await ctx.state();
    const runs = await listRuns(store, { profile: input.profile, url: input.url, limit: input.limit ?? 20 });
    const profiles = Object.entries(ctx.config.loadtest.profiles).map(([name, p]) => ({
      name,
      url: p.url,
      method: p.method,
      model: p.model,
      connections: p.connections,
      rate: p.rate ?? null,
      duration: p.duration ?? null,
      requests: p.requests ?? null,
      warmup: p.warmup,
      gate: p.gate,
      thresholds: p.thresholds,
    }));
    return { runs, profiles };
  },
});
