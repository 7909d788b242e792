import { redactor } from '../log/redact.js';

/** JSON columns come back as text from both engines; parse them once here. */
export function parseJson<T = unknown>(value: unknown): T | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') return value as T;
  try {
    return JSON.parse(value) as T;
  } catch {
    return value as T;
  }
}

/** Nothing secret is written to the state store. */
export function toJson(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return redactor.redact(JSON.stringify(value));
}

export function redactText(value: string | null | undefined): string | null {
  return value === null || value === undefined ? null : redactor.redact(value);
}

export function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(value ?? 0);
}

export function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
