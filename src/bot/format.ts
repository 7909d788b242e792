import { redactor } from '../log/redact.js';

/**
 * Markup for a phone: Telegram's HTML subset, short lines, every line closing the tags it opens (so a message cut at a
 * line break stays valid). Everything sent passes the redactor. Values (sizes, durations, ages, money) are written
 * by src/format.ts, as in every other face; this module only marks them up.
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
    case 'orphaned':
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
