import { z } from 'zod';

/** Names that end up in file paths, SQL identifiers and CLI arguments: keep them boring. */
export const NAME_PATTERN = /^[a-z][a-z0-9_-]{0,62}$/;
export const nameSchema = z
  .string()
  .regex(NAME_PATTERN, { message: 'must be lowercase letters, digits, "-" or "_", starting with a letter' });

/** A duration such as `90d`, `12h`, `30m`, `45s`, `500ms`; stored as milliseconds. */
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parseDuration(value: string): number | undefined {
  const match = DURATION_PATTERN.exec(value.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * UNIT_MS[match[2]!]!);
}

export const durationSchema = z
  .string()
  .refine((v) => parseDuration(v) !== undefined, { message: 'must be a duration like 90d, 24h, 30m, 10s or 500ms' });

/** Keys whose values are secrets, wherever they appear in the config. */
export const SECRET_KEY_PATTERN = /(secret|token|password|passwd|apikey|api_key|privatekey|private_key)$/i;
