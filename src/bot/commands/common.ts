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
