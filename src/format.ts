/**
 * How opsctl writes a value for a person: the CLI, the console and the bot all format through here, so a size, a
 * duration, an age, money or a share looks the same in every face. Plain text only: each face adds its own markup.
 * Missing values (undefined, null, NaN) print as `-`.
 */

const MISSING = '-';

const missing = (n: number | null | undefined): n is null | undefined =>
  n === null || n === undefined || Number.isNaN(n);

/** Binary units, the ones BigQuery bills in: `512 B`, `1.50 KiB`, `12.3 MiB`, `261 GiB`. */
export function bytes(n: number | null | undefined): string {
  if (missing(n)) return MISSING;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = n;
  let i = 0;
  while (Math.abs(value) >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  if (i === 0) return `${Math.round(value)} B`;
  return `${value.toFixed(Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2)} ${units[i]}`;
}

/** A latency, to three significant figures and never rounded to whole seconds: `0.42 ms`, `12.3 ms`, `150 ms`. */
export function latency(ms: number | null | undefined): string {
  if (missing(ms)) return MISSING;
  const a = Math.abs(ms);
  return `${ms.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : 2)} ms`;
}

/** A span of time from milliseconds: `850ms`, `12.3s`, `4m05s`, `2h05m`, `3d04h`. */
export function duration(ms: number | null | undefined): string {
  if (missing(ms)) return MISSING;
  if (ms < 0) return `-${duration(-ms)}`;
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  if (s < 3_600) return `${Math.floor(s / 60)}m${pad2(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3_600)}h${pad2(Math.floor((s % 3_600) / 60))}m`;
  return `${Math.floor(s / 86_400)}d${pad2(Math.floor((s % 86_400) / 3_600))}h`;
}

/** A coarse span for lists and phones, in its largest whole unit: `45s`, `12m`, `5h`, `3d`. */
export function span(ms: number | null | undefined): string {
  if (missing(ms)) return MISSING;
  const s = Math.floor(Math.abs(ms) / 1000);
  const text =
    s < 60
      ? `${s}s`
      : s < 3_600
        ? `${Math.floor(s / 60)}m`
        : s < 86_400
          ? `${Math.floor(s / 3_600)}h`
          : `${Math.floor(s / 86_400)}d`;
  return ms < 0 ? `-${text}` : text;
}

/** How long ago an instant (ISO text, epoch ms or Date) was: `just now`, `12s ago`, `3m ago`, `in 5m`, `never`. */
export function ago(at: string | number | Date | null | undefined, now: number = Date.now()): string {
  if (at === null || at === undefined) return 'never';
  const t = at instanceof Date ? at.getTime() : typeof at === 'number' ? at : Date.parse(at);
  if (Number.isNaN(t)) return MISSING;
  const ms = now - t;
  if (Math.abs(ms) < 1_000) return 'just now';
  return ms > 0 ? `${span(ms)} ago` : `in ${span(-ms)}`;
}

/** Money in USD: `$0`, `$0.0042` (sub-cent amounts keep two significant digits), `$3.50`, `$1,234`. */
export function usd(n: number | null | undefined): string {
  if (missing(n)) return MISSING;
  if (n < 0) return `-${usd(-n)}`;
  if (n === 0) return '$0';
  if (n < 0.01) return `$${n.toPrecision(2).replace(/0+$/, '')}`;
  if (n < 1_000) return `$${n.toFixed(2)}`;
  return `$${Math.round(n).toLocaleString('en-US')}`;
}

/** A share already in percent: `0.4%`, `12%`, `150%`. */
export function percent(n: number | null | undefined): string {
  if (missing(n)) return MISSING;
  return `${Math.abs(n) >= 10 ? Math.round(n) : n.toFixed(1)}%`;
}

/** A count with thousands separators: `1,234,567`. */
export function count(n: number | null | undefined): string {
  if (missing(n)) return MISSING;
  return Math.round(n).toLocaleString('en-US');
}

/** A count with its noun: `1 profile`, `2 profiles`, `3 queries` (give the plural when it is not noun + s). */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${count(n)} ${n === 1 ? noun : nouns}`;
}

/** A rate per second: `0.5/s`, `12.3/s`, `56,571/s`. */
export function rate(n: number | null | undefined): string {
  if (missing(n)) return MISSING;
  return `${Math.abs(n) >= 100 ? count(n) : n.toFixed(1)}/s`;
}

/**
 * A watermark as stored: text as is; Spotify's recently-played cursor (milliseconds since the epoch) as a UTC time
 * (JSON keeps the raw value). `-` when there is none.
 */
export function watermark(value: string | null | undefined): string {
  if (value === null || value === undefined) return '-';
  return /^\d{12,14}$/.test(value) ? new Date(Number(value)).toISOString().replace('.000Z', 'Z') : value;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
