import type { Config } from '../config/load.js';
import { monthWindow, projectToMonthEnd, windowStart, type MonthWindow } from './month.js';
import { GIB, roundUsd, TIB } from './units.js';
import type { DailyUsage, QueryJob, RawUsage, TableStorage, UsageBreakdown } from './usage.js';

export type CostsConfig = Config['costs'];

export interface LevelState {
  subject: 'budget' | 'query free tier' | 'storage free tier';
  level: number;
  /** The projection's share of the budget or free tier, in percent. */
  percent: number;
  crossed: boolean;
}

export interface CostReport {
  warehouse: 'bigquery' | 'duckdb';
  location: string;
  generatedAt: string;
  days: number;
  month: MonthWindow;
  storage: {
    tables: Array<TableStorage & { monthlyUsd: number }>;
    activeBytes: number;
    longTermBytes: number;
    monthlyUsd: number;
  };
  daily: Array<DailyUsage & { usd: number }>;
  byUser: UsageBreakdown[];
  byLabel: UsageBreakdown[];
  /** opsctl's own jobs (label app=opsctl) against everyone else's, over the days shown. */
  opsctl: { bytesBilled: number; otherBytesBilled: number };
  top: QueryJob[];
  monthToDate: { bytesBilled: number; queryUsd: number; storageUsd: number; totalUsd: number };
  projection: { bytesBilled: number; queryUsd: number; storageUsd: number; totalUsd: number; method: string };
  freeTier: { queryBytes: number; storageBytes: number; queryPercent: number; storagePercent: number };
  budget: { usd: number; percent: number };
  levels: LevelState[];
  /** The highest crossed level of each subject. */
  crossed: LevelState[];
  prices: CostsConfig['prices'];
  notes: string[];
}

export const PROJECTION_METHOD =
  'linear run rate: bytes billed month to date ÷ days elapsed (today counted) × days in the month; storage assumed constant to month end';

/** Query cost for a month's bytes billed: the free tier first, the rest at the on-demand price. */
export function queryCostUsd(bytesBilled: number, costs: CostsConfig): number {
  const billable = Math.max(0, bytesBilled - costs.freeTier.queryTiB * TIB);
  return roundUsd((billable / TIB) * costs.prices.queryPerTiB);
}

/**
 * Monthly storage cost. The free 10 GiB is taken from active storage first (the dearer kind), then long-term: the
 * conservative reading of Google's "first 10 GiB per month is free".
 */
export function storageCostUsd(activeBytes: number, longTermBytes: number, costs: CostsConfig): number {
  let free = costs.freeTier.storageGiB * GIB;
  const active = Math.max(0, activeBytes - free);
  free = Math.max(0, free - activeBytes);
  const longTerm = Math.max(0, longTermBytes - free);
  return roundUsd(
    (active / GIB) * costs.prices.storageActivePerGiB + (longTerm / GIB) * costs.prices.storageLongTermPerGiB,
  );
}

/** Percent of an allowance; a zero allowance with any use reports 1,000,000 % (JSON has no Infinity). */
const percentOf = (value: number, of: number) =>
  Math.round((of > 0 ? (value / of) * 100 : value > 0 ? 1e6 : 0) * 1e4) / 1e4;

/** Prices the raw usage, projects it to month end and sets the levels. Pure: the tests assert it to the byte and cent. */
export function buildReport(
  raw: RawUsage,
  options: {
    costs: CostsConfig;
    now: Date;
    days: number;
    warehouse: CostReport['warehouse'];
    location: string;
    notes?: string[];
  },
): CostReport {
  const { costs, now } = options;
  const month = monthWindow(now);
  const shownFrom = windowStart(now, options.days);
  const today = now.toISOString().slice(0, 10);
  const inMonth = raw.daily.filter((d) => d.day >= month.start && d.day <= today);
  const mtdBytes = inMonth.reduce((s, d) => s + d.bytesBilled, 0);
  const projectedBytes = Math.round(projectToMonthEnd(mtdBytes, month));

  const activeBytes = raw.storage.reduce((s, t) => s + t.activeBytes, 0);
  const longTermBytes = raw.storage.reduce((s, t) => s + t.longTermBytes, 0);
  const storageMonthly = storageCostUsd(activeBytes, longTermBytes, costs);
  const storageMtd = roundUsd((storageMonthly * month.elapsedDays) / month.daysInMonth);

  const mtdQueryUsd = queryCostUsd(mtdBytes, costs);
  const projQueryUsd = queryCostUsd(projectedBytes, costs);
  const projectedTotal = roundUsd(projQueryUsd + storageMonthly);

  const freeTier = {
    queryBytes: costs.freeTier.queryTiB * TIB,
    storageBytes: costs.freeTier.storageGiB * GIB,
    queryPercent: percentOf(projectedBytes, costs.freeTier.queryTiB * TIB),
    storagePercent: percentOf(activeBytes + longTermBytes, costs.freeTier.storageGiB * GIB),
  };
  const budgetPercent = percentOf(projectedTotal, costs.budgetUsd);
  const subjects: Array<[LevelState['subject'], number]> = [
    ['budget', budgetPercent],
    ['query free tier', freeTier.queryPercent],
    ['storage free tier', freeTier.storagePercent],
  ];
  const levels = [...costs.levels].sort((a, b) => a - b);
  const levelStates = subjects.flatMap(([subject, percent]) =>
    levels.map((level) => ({ subject, level, percent, crossed: percent >= level })),
  );
  const crossed = subjects.flatMap(([subject]) => {
    const top = levelStates.filter((l) => l.subject === subject && l.crossed).at(-1);
    return top ? [top] : [];
  });

  // Each day priced as its share of the month's query cost at the marginal rate (after the free tier is used up).
  const daily = raw.daily
    .filter((d) => d.day >= shownFrom)
    .map((d) => ({ ...d, usd: roundUsd((d.bytesBilled / TIB) * costs.prices.queryPerTiB) }));
  const shownBytes = raw.daily.filter((d) => d.day >= shownFrom).reduce((s, d) => s + d.bytesBilled, 0);

  return {
    warehouse: options.warehouse,
    location: options.location,
    generatedAt: now.toISOString(),
    days: options.days,
    month,
    storage: {
      tables: raw.storage.map((t) => ({
        ...t,
        monthlyUsd: storageCostUsd(t.activeBytes, t.longTermBytes, {
          ...costs,
          freeTier: { ...costs.freeTier, storageGiB: 0 },
        }),
      })),
      activeBytes,
      longTermBytes,
      monthlyUsd: storageMonthly,
    },
    daily,
    byUser: raw.byUser,
    byLabel: raw.byLabel,
    opsctl: { bytesBilled: raw.opsctlBytesBilled, otherBytesBilled: Math.max(0, shownBytes - raw.opsctlBytesBilled) },
    top: raw.top,
    monthToDate: {
      bytesBilled: mtdBytes,
      queryUsd: mtdQueryUsd,
      storageUsd: storageMtd,
      totalUsd: roundUsd(mtdQueryUsd + storageMtd),
    },
    projection: {
      bytesBilled: projectedBytes,
      queryUsd: projQueryUsd,
      storageUsd: storageMonthly,
      totalUsd: projectedTotal,
      method: PROJECTION_METHOD,
    },
    freeTier,
    budget: { usd: costs.budgetUsd, percent: budgetPercent },
    levels: levelStates,
    crossed,
    prices: costs.prices,
    notes: options.notes ?? [],
  };
}
