import { z } from 'zod';
import { defineOperation } from '../operation.js';
import { collectReport, reportTime, type CostReportWithTrend } from './collect.js';

export const costsInput = z.object({
  days: z.number().int().min(1).max(180).optional(),
  /** Compute the report as of this ISO time instead of now. */
  asOf: z.iso.datetime({ offset: true }).optional(),
});

/** Storage, daily query usage, top queries, month to date and the month-end projection against free tier and budget. */
export const costsReport = defineOperation({
  name: 'costs.report',
  summary: 'BigQuery cost usage, month-end projection, free tier and budget',
  input: costsInput,
  async run(ctx, input): Promise<CostReportWithTrend> {
    return collectReport(ctx, { days: input.days ?? ctx.config.costs.days, now: reportTime(input.asOf) });
  },
});
