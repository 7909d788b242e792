import type { ResultFor } from '../../../commands/catalog.js';
import { bytes, percent, usd } from '../../format.js';
import { bold, esc, lines } from '../format.js';
import type { BotCommand } from './types.js';

type CostsCheck = ResultFor<'costs.check'>;
/** One level of one subject (budget, query or storage free tier), as `costs.check` lists them. */
export type CostLevel = CostsCheck['levelsCrossed'][number];

/** `/costs`: BigQuery month to date, projection, free tier and budget, from `costs.report`. */
export const costsCommand: BotCommand = {
  name: 'costs',
  description: 'BigQuery month to date, projection, free tier and budget',
  async run(request) {
    return formatCosts(await request.invoke('costs.report', {}));
  },
};

/** One incident per subject and level: "budget 100%". */
export function levelKey(l: Pick<CostLevel, 'subject' | 'level'>): string {
  return `${l.subject}:${l.level}`;
}

export function levelText(l: CostLevel, result?: Pick<CostsCheck, 'projectedUsd' | 'budgetUsd'>): string {
  const detail =
    l.subject === 'budget' && result ? ` (projected ${usd(result.projectedUsd)} of ${usd(result.budgetUsd)})` : '';
  return `${l.subject} at ${percent(l.percent)} of its allowance by month end: level ${percent(l.level)} crossed${detail}`;
}

export function formatCosts(r: ResultFor<'costs.report'>): string {
  return lines(
    `💰 ${bold('BigQuery costs')} · ${esc(r.month.start.slice(0, 7))} (day ${r.month.elapsedDays}/${r.month.daysInMonth})`,
    esc(
      `Queries: ${bytes(r.monthToDate.bytesBilled)} of ${bytes(r.freeTier.queryBytes)} free · projected ${bytes(r.projection.bytesBilled)} (${percent(r.freeTier.queryPercent)})`,
    ),
    esc(
      `Storage: ${bytes(r.storage.activeBytes + r.storage.longTermBytes)} of ${bytes(r.freeTier.storageBytes)} free (${percent(r.freeTier.storagePercent)})`,
    ),
    esc(
      `Month to date: ${usd(r.monthToDate.totalUsd)} · projected ${usd(r.projection.totalUsd)} of ${usd(r.budget.usd)} budget (${percent(r.budget.percent)})`,
    ),
    r.crossed.length
      ? `⚠️ ${esc(r.crossed.map((l) => `${l.subject} ${percent(l.level)}`).join('; '))} crossed`
      : '✅ no level crossed',
  );
}
