import { z } from 'zod';
import type { LevelState } from '../../src/costs/report.js';
import { defineOperation } from '../operation.js';
import { collectReport, reportTime } from './collect.js';
import { costsInput } from './report.js';

export interface CostsCheckResult {
  ok: boolean;
  /** The level at or above which the check fails. */
  failAtPercent: number;
  /** The highest level crossed per subject (budget, query free tier, storage free tier); the bot alerts on these. */
  crossed: LevelState[];
  /** Every level crossed, per subject (50 and 90 and 100…): the bot alerts once per level. */
  levelsCrossed: LevelState[];
  /** The crossed levels at or above failAtPercent. */
  breaches: LevelState[];
  projectedUsd: number;
  budgetUsd: number;
  budgetPercent: number;
  queryFreeTierPercent: number;
  storageFreeTierPercent: number;
  monthToDateUsd: number;
  checkedAt: string;
}

/** For cron and the bot: does the month-end projection cross a configured level? */
export const costsCheck = defineOperation({
  name: 'costs.check',
  summary: 'Fail when the month-end projection crosses a cost level',
  input: costsInput.extend({ failAtPercent: z.number().positive().optional() }),
  async run(ctx, input): Promise<CostsCheckResult> {
    const report = await collectReport(ctx, { days: input.days ?? ctx.config.costs.days, now: reportTime(input.asOf) });
    const failAtPercent = input.failAtPercent ?? ctx.config.costs.failAtPercent;
    const breaches = report.crossed.filter((l) => l.percent >= failAtPercent);
    return {
      ok: breaches.length === 0,
      failAtPercent,
      crossed: report.crossed,
      levelsCrossed: report.levels.filter((l) => l.crossed),
      breaches,
      projectedUsd: report.projection.totalUsd,
      budgetUsd: report.budget.usd,
      budgetPercent: report.budget.percent,
      queryFreeTierPercent: report.freeTier.queryPercent,
      storageFreeTierPercent: report.freeTier.storagePercent,
      monthToDateUsd: report.monthToDate.totalUsd,
      checkedAt: report.generatedAt,
    };
  },
});
