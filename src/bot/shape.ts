/**
 * Reading operation results by their shape. The bot formats results of operations that other capabilities own; these
 * helpers look for a value under any of several likely names, so a formatter degrades to "-" instead of throwing
 * when a field is named differently or missing.
 */
export type Rec = Record<string, unknown>;

export function isRecord(value: unknown): value is Rec {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at a dotted path (`monthToDate.usd`), or undefined. */
export function at(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const part of path.split('.')) {
    if (!isRecord(current)) return undefined;
    current = current[part];
  }
  return current;
}

export function str(value: unknown, ...paths: string[]): string | undefined {
  for (const path of paths) {
    const v = at(value, path);
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  }
  return undefined;
}

export function num(value: unknown, ...paths: string[]): number | undefined {
  for (const path of paths) {
    const v = at(value, path);
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  }
  return undefined;
}

export function bool(value: unknown, ...paths: string[]): boolean | undefined {
  for (const path of paths) {
    const v = at(value, path);
    if (typeof v === 'boolean') return v;
  }
  return undefined;
}

/** The result itself when it is an array, else the first array under one of `paths`, else its first array field. */
export function list(value: unknown, ...paths: string[]): unknown[] {
  if (Array.isArray(value)) return value;
  for (const path of paths) {
    const v = at(value, path);
    if (Array.isArray(v)) return v;
  }
  if (isRecord(value)) for (const v of Object.values(value)) if (Array.isArray(v)) return v;
  return [];
}

/** An instant from an ISO string, epoch milliseconds or a Date, as epoch milliseconds. */
export function time(value: unknown, ...paths: string[]): number | undefined {
  for (const path of paths) {
    const v = at(value, path);
    if (v instanceof Date && !Number.isNaN(v.getTime())) return v.getTime();
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string') {
      const t = Date.parse(v);
      if (!Number.isNaN(t)) return t;
    }
  }
  return undefined;
}

/** A duration in seconds from fields named in seconds, milliseconds or hours (first found wins). */
export function seconds(value: unknown, names: { s?: string[]; ms?: string[]; h?: string[] }): number | undefined {
  const s = num(value, ...(names.s ?? []));
  if (s !== undefined) return s;
  const ms = num(value, ...(names.ms ?? []));
  if (ms !== undefined) return ms / 1000;
  const h = num(value, ...(names.h ?? []));
  return h === undefined ? undefined : h * 3600;
}
