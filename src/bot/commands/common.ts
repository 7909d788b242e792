import { bold, code, esc, lines } from '../format.js';
import { isRecord, list, num } from '../shape.js';

/** A count from either an array (its length) or a number, under any of `paths`. */
export function countOf(value: unknown, ...paths: string[]): number | undefined {
  for (const path of paths) {
    const v = path === '' ? value : path.split('.').reduce<unknown>((o, k) => (isRecord(o) ? o[k] : undefined), value);
    if (Array.isArray(v)) return v.length;
    if (typeof v === 'number') return v;
  }
  return undefined;
}

/** Rows loaded by a run, from the fields a run or its summary may carry. */
export function rowsLoaded(run: unknown): number | undefined {
  const direct = num(run, 'rowsLoaded', 'rows_loaded', 'loaded', 'rows.loaded', 'summary.rowsLoaded', 'outcome.rowsLoaded', 'totals.loaded');
  if (direct !== undefined) return direct;
  const tables = [...list(run, 'tables'), ...list(isRecord(run) ? run.summary : undefined, 'tables'), ...list(isRecord(run) ? run.outcome : undefined, 'tables')];
  const counts = tables.map((t) => num(t, 'loaded', 'rowsLoaded', 'rows_loaded')).filter((n): n is number => n !== undefined);
  return counts.length ? counts.reduce((a, b) => a + b, 0) : undefined;
}

/**
 * A result whose shape no formatter recognised: its top-level scalar fields, so the chat still gets the facts
 * rather than nothing.
 */
export function scalarSummary(title: string, result: unknown, max = 12): string {
  if (!isRecord(result)) return lines(bold(title), code(JSON.stringify(result)?.slice(0, 300) ?? 'no result'));
  const rows = Object.entries(result)
    .filter(([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v))
    .slice(0, max)
    .map(([k, v]) => `${esc(k)}: ${code(v)}`);
  return lines(bold(title), ...(rows.length ? rows : [esc('(nothing to show)')]));
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
