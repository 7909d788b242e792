import { bold, bytes, esc, lines, percent, usd } from '../format.js';
import { bool, isRecord, list, num, str } from '../shape.js';
import { scalarSummary } from './common.js';
import type { BotCommand } from './types.js';

/** `/costs`: BigQuery month to date, projection, free tier and budget, from `costs.report`. */
export const costsCommand: BotCommand = {
  name: 'costs',
  description: 'BigQuery month to date, projection, free tier and budget',
  operations: ['costs.report'],
  async run(request) {
    return formatCosts(await request.invoke('costs.report', {}));
  },
};

export const MTD_USD = ['monthToDate.usd', 'monthToDate.costUsd', 'monthToDate.totalUsd', 'monthToDateUsd', 'mtdUsd', 'monthToDate.cost'];
export const PROJECTED_USD = ['projection.usd', 'projection.costUsd', 'projection.totalUsd', 'projectedUsd', 'projection.cost', 'projectedMonthUsd'];

/** A crossed level, however the result names it: "budget 90%". */
export function crossedLevels(result: unknown): Array<{ key: string; text: string }> {
  const items = [...list(result, 'levels'), ...list(result, 'alerts'), ...list(result, 'breaches'), ...list(result, 'crossed')];
  const seen = new Set<string>();
  const out: Array<{ key: string; text: string }> = [];
  for (const item of items) {
    if (!isRecord(item)) continue;
    const crossed = bool(item, 'crossed', 'reached', 'breached', 'exceeded', 'triggered') ?? str(item, 'status') !== 'ok';
    if (!crossed) continue;
    const scope = str(item, 'scope', 'kind', 'metric', 'name', 'what') ?? 'cost';
    const level = num(item, 'level', 'percent', 'threshold', 'thresholdPercent');
    const key = `${scope}:${level ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ key, text: str(item, 'message', 'text', 'description') ?? `${scope} ${level === undefined ? 'level' : percent(level)} crossed` });
  }
  return out;
}

export function formatCosts(result: unknown): string {
  const mtd = num(result, ...MTD_USD);
  const projected = num(result, ...PROJECTED_USD);
  const budget = num(result, 'budgetUsd', 'budget.usd', 'budget.amountUsd', 'budget');
  const queryBytes = num(result, 'monthToDate.bytesBilled', 'monthToDate.queryBytes', 'queries.bytesBilled', 'monthToDate.bytes');
  const queryFree = num(result, 'freeTier.queryBytes', 'freeTier.queriesBytes', 'freeTier.query');
  const storageBytes = num(result, 'storage.totalBytes', 'storage.bytes', 'storageBytes', 'monthToDate.storageBytes');
  const storageFree = num(result, 'freeTier.storageBytes', 'freeTier.storage');
  if ([mtd, projected, queryBytes, storageBytes].every((v) => v === undefined)) return scalarSummary('BigQuery costs', result);
  const share = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? ` (${percent((a / b) * 100)})` : '');
  const levels = crossedLevels(result);
  return lines(
    `💰 ${bold('BigQuery costs')}${str(result, 'month', 'period') ? ` · ${esc(str(result, 'month', 'period'))}` : ''}`,
    queryBytes === undefined ? undefined : esc(`Queries: ${bytes(queryBytes)}${queryFree ? ` of ${bytes(queryFree)} free` : ''}${share(queryBytes, queryFree)}`),
    storageBytes === undefined ? undefined : esc(`Storage: ${bytes(storageBytes)}${storageFree ? ` of ${bytes(storageFree)} free` : ''}${share(storageBytes, storageFree)}`),
    esc(`Month to date: ${usd(mtd)}${projected === undefined ? '' : ` · projected ${usd(projected)}`}${budget === undefined ? '' : ` of ${usd(budget)} budget${share(projected ?? mtd, budget)}`}`),
    levels.length ? `⚠️ ${esc(levels.map((l) => l.text).join('; '))}` : '✅ no level crossed',
  );
}
