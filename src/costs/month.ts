/**
 * The billing month in UTC: the day of the month counts as elapsed in full, so the projection is defined on the first
 * day and is the same whatever the hour. (Google's billing month follows Pacific time; INFORMATION_SCHEMA timestamps
 * are UTC, and opsctl keeps to them.)
 */
export interface MonthWindow {
  /** First day, YYYY-MM-DD. */
  start: string;
  /** Last day, YYYY-MM-DD. */
  end: string;
  daysInMonth: number;
  /** Days elapsed including today (1 on the first day). */
  elapsedDays: number;
}

export function monthWindow(now: Date): MonthWindow {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const daysInMonth = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return {
    start: isoDay(new Date(Date.UTC(y, m, 1))),
    end: isoDay(new Date(Date.UTC(y, m, daysInMonth))),
    daysInMonth,
    elapsedDays: now.getUTCDate(),
  };
}

export const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** The first day of a window of `days` days ending today (inclusive). */
export function windowStart(now: Date, days: number): string {
  return isoDay(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1))));
}

/**
 * Linear run rate: month-to-date divided by the days elapsed (today counted), times the days in the month. No usage
 * projects to 0; on the first day the projection is a day's usage times the month's length.
 */
export function projectToMonthEnd(monthToDate: number, month: MonthWindow): number {
  if (monthToDate <= 0) return 0;
  return (monthToDate / month.elapsedDays) * month.daysInMonth;
}
