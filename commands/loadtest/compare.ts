import { z } from 'zod';
import { NotFoundError } from '../../src/errors.js';
import { compareRuns, type Comparison } from '../../src/loadtest/compare.js';
import { getRun, listRuns, previousRun, type LoadTestRun } from '../../src/loadtest/store.js';
import { defineOperation } from '../operation.js';

export interface LoadtestComparison extends Comparison {
  run: LoadTestRun;
  baseline: LoadTestRun;
  noisePercent: number;
}

/** A run against a baseline (by default the previous run of the same profile, or of the same URL). */
export const loadtestCompare = defineOperation({
  name: 'loadtest.compare',
  summary: 'Compare a load-test run with a baseline: deltas and a verdict (better, same within noise, regression)',
  input: z.object({
    /** Run id; the newest run when omitted. */
    run: z.number().int().positive().optional(),
    baseline: z.number().int().positive().optional(),
    noisePercent: z.number().min(0).max(100).optional(),
  }),
  async run(ctx, input): Promise<LoadtestComparison> {
    const store = await ctx.state();
    const run = input.run ? await getRun(store, input.run) : (await listRuns(store, { limit: 1 }))[0];
    if (!run)
      throw new NotFoundError('no load-test run is stored yet', {
        hint: 'Run one with `opsctl loadtest run <url>` first.',
      });
    const baseline = input.baseline ? await getRun(store, input.baseline) : await previousRun(store, run);
    if (!baseline) {
      throw new NotFoundError(
        `run ${run.id} has no earlier run of ${run.profile ? `profile "${run.profile}"` : run.url} to compare with`,
        {
          hint: 'Name one with --baseline <run id> (see `opsctl loadtest history`).',
        },
      );
    }
    const noisePercent = input.noisePercent ?? ctx.config.loadtest.noisePercent;
    return { ...compareRuns(run, baseline, noisePercent), run, baseline, noisePercent };
  },
});
