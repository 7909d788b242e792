import type { SyncColumnType } from '../../config/sections/sync-tables.js';
import type { WatermarkType } from '../../state/watermarks.js';

/**
 * Source values → PostgreSQL COPY text. The warehouse adapters hand over JSON-ish values (DuckDB's JSON form, BigQuery's
 * wrapped DATE/TIMESTAMP objects, numbers, bigints, Dates); each is checked against the target column's type here, so
 * a bad value quarantines its row instead of failing the whole COPY.
 */
export type Normalized = { ok: true; text: string | null } | { ok: false; reason: string };

const INT4 = { min: -2147483648n, max: 2147483647n };
const INT8 = { min: -9223372036854775808n, max: 9223372036854775807n };
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TS_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const NUMERIC_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** BigQuery's client wraps DATE/TIMESTAMP/NUMERIC in objects with a `value`. */
function unwrap(v: unknown): unknown {
  if (
    v !== null &&
    typeof v === 'object' &&
    !(v instanceof Date) &&
    !Array.isArray(v) &&
    'value' in v &&
    Object.keys(v).length === 1
  )
    return v.value;
  return v;
}

function validDate(y: number, m: number, d: number): boolean {
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

function integer(v: unknown, range: { min: bigint; max: bigint }): Normalized {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= Number(range.min) && v <= Number(range.max))
    return { ok: true, text: String(v) };
  if (typeof v === 'string' && /^-?\d{1,9}$/.test(v)) return { ok: true, text: v };
  let n: bigint;
  if (typeof v === 'bigint') n = v;
  else if (typeof v === 'number' && Number.isInteger(v)) n = BigInt(v);
  else if (typeof v === 'string' && /^[+-]?\d{1,20}$/.test(v.trim())) n = BigInt(v.trim());
  else return { ok: false, reason: `${show(v)} is not an integer` };
  if (n < range.min || n > range.max) return { ok: false, reason: `${n} is out of range` };
  return { ok: true, text: n.toString() };
}

function show(v: unknown): string {
  const s =
    typeof v === 'string'
      ? JSON.stringify(v)
      : typeof v === 'bigint'
        ? `${v}`
        : v instanceof Date
          ? v.toISOString()
          : (JSON.stringify(v) ?? String(v));
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

/** Normalizes a timestamp to ISO 8601 in UTC with microseconds kept (PostgreSQL's own precision). */
export function normalizeTimestamp(v: unknown): string | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : `${v.toISOString().slice(0, 23)}000Z`;
  if (typeof v !== 'string') return undefined;
  const m = TS_RE.exec(v.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone] = m;
  if (!validDate(Number(y), Number(mo), Number(d)) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59)
    return undefined;
  const micros = (frac.slice(1) + '000000').slice(0, 6);
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0')) * 60_000;
  }
  return `${new Date(ms).toISOString().slice(0, 19)}.${micros}Z`;
}

/** Dates repeat across a table's rows (a day per snapshot): remember the ones already checked. */
const knownDates = new Set<string>();

export function normalizeDate(v: unknown): string | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.toISOString().slice(0, 10);
  if (typeof v !== 'string') return undefined;
  if (knownDates.has(v)) return v;
  const m = DATE_RE.exec(v.trim());
  if (!m || !validDate(Number(m[1]), Number(m[2]), Number(m[3]))) return undefined;
  if (knownDates.size > 100_000) knownDates.clear();
  if (v === v.trim()) knownDates.add(v);
  return v.trim();
}

/**
 * A timestamp PostgreSQL will read as the same instant, without rewriting it (cheaper than normalizing when the text
 * is not compared, i.e. any column but the incremental one): the shape is checked, and the date is a real date.
 */
export function checkTimestamp(v: unknown): string | undefined {
  if (typeof v !== 'string') return normalizeTimestamp(v);
  const m = TS_RE.exec(v);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00'] = m;
  if (!validDate(Number(y), Number(mo), Number(d)) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59)
    return undefined;
  return v;
}

/**
 * Checks one value against its column type and renders it as PostgreSQL text (null stays null). `exact` (the
 * incremental column) also rewrites timestamps to one canonical form, so watermarks compare as text.
 */
export function normalizeValue(raw: unknown, type: SyncColumnType, exact = true): Normalized {
  const v = unwrap(raw);
  if (v === null || v === undefined) return { ok: true, text: null };
  switch (type) {
    case 'text': {
      const text = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
      return text.includes('\u0000') ? { ok: false, reason: 'text contains a NUL byte' } : { ok: true, text };
    }
    case 'integer':
      return integer(v, INT4);
    case 'bigint':
      return integer(v, INT8);
    case 'numeric':
    case 'double precision': {
      if (typeof v === 'number')
        return Number.isFinite(v)
          ? { ok: true, text: String(v) }
          : { ok: false, reason: `${v} is not a finite number` };
      if (typeof v === 'bigint') return { ok: true, text: v.toString() };
      if (typeof v === 'string' && NUMERIC_RE.test(v.trim())) return { ok: true, text: v.trim() };
      return { ok: false, reason: `${show(v)} is not a number` };
    }
    case 'boolean': {
      if (typeof v === 'boolean') return { ok: true, text: v ? 't' : 'f' };
      const s = String(v).trim().toLowerCase();
      if (['true', 't', '1', 'yes'].includes(s)) return { ok: true, text: 't' };
      if (['false', 'f', '0', 'no'].includes(s)) return { ok: true, text: 'f' };
      return { ok: false, reason: `${show(v)} is not a boolean` };
    }
    case 'date': {
      const d = normalizeDate(v);
      return d ? { ok: true, text: d } : { ok: false, reason: `${show(v)} is not a date (YYYY-MM-DD)` };
    }
    case 'timestamp':
    case 'timestamptz': {
      if (!exact) {
        const t = checkTimestamp(v);
        return t ? { ok: true, text: t } : { ok: false, reason: `${show(v)} is not a timestamp` };
      }
      const t = normalizeTimestamp(v);
      return t
        ? { ok: true, text: type === 'timestamp' ? t.slice(0, -1) : t }
        : { ok: false, reason: `${show(v)} is not a timestamp` };
    }
    case 'jsonb': {
      if (typeof v === 'string') {
        try {
          JSON.parse(v);
          return { ok: true, text: v };
        } catch {
          return { ok: false, reason: `${show(v)} is not JSON` };
        }
      }
      return { ok: true, text: JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)) };
    }
  }
}

/** PostgreSQL COPY text format: tab-separated, `\N` for null, backslash escapes. */
export function copyField(text: string | null): string {
  if (text === null) return '\\N';
  if (!/[\\\t\n\r]/.test(text)) return text;
  return text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

// ── watermarks ────────────────────────────────────────────────────────────────────────────────────────────────────

export function watermarkTypeOf(type: SyncColumnType): WatermarkType {
  if (type === 'date') return 'date';
  if (type === 'timestamp' || type === 'timestamptz') return 'timestamp';
  return 'number';
}

/** Orders two normalized incremental values of the same type. */
export function compareWatermark(a: string, b: string, type: WatermarkType): number {
  if (type === 'number') {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (type === 'timestamp') {
    // Normalized ISO text in UTC with fixed width sorts as text.
    const x = normalizeTimestamp(a) ?? a;
    const y = normalizeTimestamp(b) ?? b;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Parses an operator's watermark (`watermarks set`) into the normalized form of its type, or undefined. */
export function parseWatermark(value: string, type: WatermarkType): string | undefined {
  if (type === 'date') return normalizeDate(value);
  if (type === 'timestamp') return normalizeTimestamp(value);
  if (type === 'number') return /^[+-]?\d{1,19}$/.test(value.trim()) ? BigInt(value.trim()).toString() : undefined;
  return value;
}

/** Where the next run starts reading: the watermark minus the lookback (null: no watermark, the whole source). */
export function windowStart(watermark: string | null, type: WatermarkType, lookbackDays: number): string | null {
  if (watermark === null) return null;
  if (type === 'date') {
    const d = new Date(`${watermark}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() - lookbackDays);
    return d.toISOString().slice(0, 10);
  }
  if (type === 'timestamp') {
    const iso = normalizeTimestamp(watermark) ?? watermark;
    const ms = Date.parse(iso) - lookbackDays * 86_400_000;
    return `${new Date(ms).toISOString().slice(0, 19)}${iso.slice(19)}`;
  }
  return watermark;
}

/** How far the watermark is behind `now`, in seconds (date and timestamp watermarks; numbers have no lag). */
export function lagSeconds(watermark: string | null, type: WatermarkType, now: Date): number | null {
  if (watermark === null || type === 'number' || type === 'text') return null;
  const at =
    type === 'date' ? Date.parse(`${watermark}T00:00:00Z`) : Date.parse(normalizeTimestamp(watermark) ?? watermark);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.round((now.getTime() - at) / 1000));
}

// ── pre-compiled per-column encoders ──────────────────────────────────────────────────────────────────────────────

/**
 * A column's encoder: source value → COPY field (escaped, `\N` for null), or undefined when the value does not fit the
 * column (the caller asks `normalizeValue` for the reason). The fast paths cover the forms the warehouses hand over
 * (DuckDB's JSON form, plain numbers); every other value goes through `normalizeValue` + `copyField`, so the output is
 * the same as theirs for every input.
 */
export type ColumnEncoder = (v: unknown) => string | undefined;

const INT8_SHORT_RE = /^-?(0|[1-9]\d{0,17})$/;
const INT4_SHORT_RE = /^-?\d{1,9}$/;
const COPY_SPECIAL_RE = /[\\\t\n\r]/;

export function compileEncoder(type: SyncColumnType, exact: boolean): ColumnEncoder {
  const slow: ColumnEncoder = (v) => {
    const n = normalizeValue(v, type, exact);
    return n.ok ? copyField(n.text) : undefined;
  };
  switch (type) {
    case 'text':
      return (v) => {
        if (typeof v !== 'string') return v === null || v === undefined ? '\\N' : slow(v);
        if (v.includes('\u0000')) return undefined;
        return COPY_SPECIAL_RE.test(v) ? copyField(v) : v;
      };
    case 'bigint':
      return (v) => {
        if (v === null || v === undefined) return '\\N';
        if (typeof v === 'string' && INT8_SHORT_RE.test(v)) return v;
        if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
        return slow(v);
      };
    case 'integer':
      return (v) => {
        if (v === null || v === undefined) return '\\N';
        if (typeof v === 'number' && Number.isSafeInteger(v) && v >= -2147483648 && v <= 2147483647) return String(v);
        if (typeof v === 'string' && INT4_SHORT_RE.test(v)) return v;
        return slow(v);
      };
    case 'numeric':
    case 'double precision':
      return (v) => {
        if (v === null || v === undefined) return '\\N';
        if (typeof v === 'number' && Number.isFinite(v)) return String(v);
        if (typeof v === 'string' && NUMERIC_RE.test(v) && v === v.trim()) return v;
        return slow(v);
      };
    case 'date':
      return (v) => {
        if (v === null || v === undefined) return '\\N';
        if (typeof v === 'string' && knownDates.has(v)) return v;
        return slow(v);
      };
    case 'timestamp':
    case 'timestamptz':
      if (exact) return slow;
      // Not the incremental column: the text is kept as it is once its shape and its date are checked; the date part
      // repeats across rows, so a date already seen skips the calendar check.
      return (v) => {
        if (v === null || v === undefined) return '\\N';
        if (typeof v !== 'string') return slow(v);
        const m = TS_RE.exec(v);
        if (!m) return undefined;
        const date = `${m[1]}-${m[2]}-${m[3]}`;
        const h = m[4] ?? '00';
        const mi = m[5] ?? '00';
        const s = m[6] ?? '00';
        if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
        if (!knownTsDates.has(date)) {
          if (!validDate(Number(m[1]), Number(m[2]), Number(m[3]))) return undefined;
          if (knownTsDates.size > 100_000) knownTsDates.clear();
          knownTsDates.add(date);
        }
        return COPY_SPECIAL_RE.test(v) ? copyField(v) : v;
      };
    default:
      return slow;
  }
}

const knownTsDates = new Set<string>();
