import { defineOperation } from '../operation.js';
import { collectReport, reportTime } from './collect.js';
import { costsInput } from './report.js';

/** Takes today's snapshot (cron, daily) so the trend survives beyond INFORMATION_SCHEMA's retention. */
export const costsSnapshot = defineOperation({
  name: 'costs.snapshot',
  summary: "Store today's cost snapshot in the state store",
  input: costsInput,
  async run(ctx, input) {
    const report = await collectReport(ctx, { days: input.days ?? ctx.config.costs.days, now: reportTime(input.asOf) });
    return report.snapshot;
  },
});
