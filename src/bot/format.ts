import { formatDuration } from '../cli/output.js';
import { redactor } from '../log/redact.js';

/**
 * Text for a phone: Telegram's HTML subset, short lines, every line closing the tags it opens (so a message cut at a
 * line break stays valid). Everything sent passes the redactor.
 */
export function esc(text: unknown): string {
  return String(text ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

export const bold = (text: unknown) => `<b>${esc(text)}</b>`;
export const code = (text: unknown) => `<code>${esc(text)}</code>`;
export const italic = (text: unknown) => `<i>${esc(text)}</i>`;

export const ICON = {
  ok: '✅',
  failed: '❌',
  running: '⏳',
  warn: '⚠️',
  info: 'ℹ️',
  cancelled: '⏹',
  unknown: '•',
} as const;

export function statusIcon(status: string | undefined): string {
  switch ((status ?? '').toLowerCase()) {
    case 'up':
    case 'ok':
    case 'succeeded':
    case 'success':
    case 'applied':
    case 'verified':
    case 'fresh':
      return ICON.ok;
    case 'down':
    case 'failed':
    case 'error':
    case 'dirty':
    case 'drifted':
    case 'stale':
      return ICON.failed;
    case 'running':
    case 'busy':
    case 'pending':
      return ICON.running;
    case 'cancelled':
      return ICON.cancelled;
    case 'absent':
    case 'unchecked':
      return '⚪';
    default:
      return ICON.unknown;
  }
}

export function duration(ms: number | undefined | null): string {
  return ms === undefined || ms === null ? '-' : formatDuration(ms);
}

/** "5m ago", "3h ago", "2d ago": coarse, for a phone. */
export function ago(epochMs: number | undefined, now = Date.now()): string {
  if (epochMs === undefined) return '-';
  const s = Math.max(0, Math.round((now - epochMs) / 1000));
  return `${age(s)} ago`;
}

/** A span of seconds, coarsely: 45s, 12m, 5h, 3d. */
export function age(secondsValue: number): string {
  const s = Math.round(secondsValue);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 360) / 10}h`.replace('.0h', 'h');
  return `${Math.round(s / 86_400)}d`;
}

export function bytes(n: number | undefined): string {
  if (n === undefined) return '-';
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 10 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export function usd(n: number | undefined): string {
  if (n === undefined) return '-';
  return `$${n < 10 ? n.toFixed(2) : Math.round(n).toLocaleString('en-US')}`;
}

export function percent(n: number | undefined): string {
  if (n === undefined) return '-';
  return `${n >= 10 ? Math.round(n) : n.toFixed(1)}%`;
}

export function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Joins message lines, drops empty ones, and redacts the whole text. */
export function lines(...parts: Array<string | undefined | null | false>): string {
  return redactor.redact(parts.filter((p): p is string => typeof p === 'string' && p !== '').join('\n'));
}

/** At most `max` rows, with a "… and N more" line. */
export function capped<T>(rows: T[], max: number, render: (row: T) => string): string[] {
  const shown = rows.slice(0, max).map(render);
  if (rows.length > max) shown.push(italic(`… and ${rows.length - max} more`));
  return shown;
}
