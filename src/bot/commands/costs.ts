import type { CostsCheckResult } from '../../../commands/costs/check.js';
import type { CostReportWithTrend } from '../../../commands/costs/collect.js';
import type { LevelState } from '../../costs/report.js';
import { formatBytes, formatUsd } from '../../costs/units.js';
import { bold, esc, lines } from '../format.js';
import type { BotCommand } from './types.js';

/** `/costs`: BigQuery month to date, projection, free tier and budget, from `costs.report`. */
export const costsCommand: BotCommand = {
  name: 'costs',
  description: 'BigQuery month to date, projection, free tier and budget',
  operations: ['costs.report'],
  async run(request) {
    return formatCosts((await request.invoke('costs.report', {})) as CostReportWithTrend);
  },
};

/** One incident per subject and level: "budget 100%". */
export function levelKey(l: Pick<LevelState, 'subject' | 'level'>): string {
  return `${l.subject}:${l.level}`;
}

export function levelText(l: LevelState, result?: Pick<CostsCheckResult, 'projectedUsd' | 'budgetUsd'>): string {
  const detail =
    l.subject === 'budget' && result
      ? ` (projected ${formatUsd(result.projectedUsd)} of ${formatUsd(result.budgetUsd)})`
      : '';
  return `${l.subject} at ${l.percent.toFixed(0)}% of its allowance by month end: level ${l.level}% crossed${detail}`;
}

export function formatCosts(r: CostReportWithTrend): string {
  const pct = (p: number) => `${p.toFixed(0)}%`;
  return lines(
    `💰 ${bold('BigQuery costs')} · ${esc(r.month.start.slice(0, 7))} (day ${r.month.elapsedDays}/${r.month.daysInMonth})`,
    esc(
      `Queries: ${formatBytes(r.monthToDate.bytesBilled)} of ${formatBytes(r.freeTier.queryBytes)} free · projected ${formatBytes(r.projection.bytesBilled)} (${pct(r.freeTier.queryPercent)})`,
    ),
    esc(
      `Storage: ${formatBytes(r.storage.activeBytes + r.storage.longTermBytes)} of ${formatBytes(r.freeTier.storageBytes)} free (${pct(r.freeTier.storagePercent)})`,
    ),
    esc(
      `Month to date: ${formatUsd(r.monthToDate.totalUsd)} · projected ${formatUsd(r.projection.totalUsd)} of ${formatUsd(r.budget.usd)} budget (${pct(r.budget.percent)})`,
    ),
    r.crossed.length
      ? `⚠️ ${esc(r.crossed.map((l) => `${l.subject} ${l.level}%`).join('; '))} crossed`
      : '✅ no level crossed',
  );
}
