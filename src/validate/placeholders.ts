/**
 * Values an operator copied from an example and never replaced. Matching is on whole tokens so a real value that
 * merely contains "example" in a longer word is not flagged.
 */
const PLACEHOLDER =
  /(change[-_ ]?me|replace[-_ ]?me|your[-_](?:[a-z]+[-_])*(?:id|secret|token|key|password|project|name)|<[a-z _-]+>|\btodo\b|\bfixme\b|\bxxx+\b|\bplaceholder\b|\bexample\.(?:com|org)\b|\bsecret[-_]?key[-_]?here\b)/i;

export function looksLikePlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value);
}

/** Dotted paths of the string leaves of `value` that look like placeholders. */
export function findPlaceholders(value: unknown, path: string[] = []): string[] {
  if (typeof value === 'string') return looksLikePlaceholder(value) ? [path.join('.')] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => findPlaceholders(v, [...path, String(i)]));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => findPlaceholders(v, [...path, k]));
  return [];
}
