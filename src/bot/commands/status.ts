import type { ResultFor } from '../../../commands/catalog.js';
import { ago, duration, plural } from '../../format.js';
import { bold, capped, code, esc, italic, lines, statusIcon } from '../format.js';
import type { BotCommand } from './types.js';

/** Problems listed in one /status reply; the rest are counted (`opsctl status` lists them all). */
export const STATUS_ITEMS_SHOWN = 8;

/** `/status`: the triage board and every component of the health-check registry, from `status.triage`. */
export const statusCommand: BotCommand = {
  name: 'status',
  description: 'What is wrong now, and what is up',
  async run(request) {
    return formatStatus(await request.invoke('status.triage', { timeoutMs: 5_000 }));
  },
};

export function formatStatus(r: ResultFor<'status.triage'>, now = Date.now()): string {
  // A bot that is not running is not news in the chat of the bot that answers.
  const components = r.components.filter((c) => !(c.group === 'bot' && c.status === 'absent'));
  const down = components.filter((c) => c.status === 'down');
  const up = components.filter((c) => c.status === 'up').length;
  const headline = r.critical ? '❌' : r.warning ? '⚠️' : '✅';
  return lines(
    `${headline} ${bold(`opsctl ${r.opsctlVersion}`)} · ${esc(r.environment)}`,
    r.items.length
      ? bold(`${plural(r.critical, 'critical problem')}, ${plural(r.warning, 'warning')}`)
      : esc('Nothing needs attention.'),
    ...capped(r.items, STATUS_ITEMS_SHOWN, (item) =>
      [
        `${item.severity === 'critical' ? '🔴' : '🟡'} ${bold(item.title)}${item.since ? esc(` · since ${ago(item.since, now)}`) : ''}`,
        item.detail ? `    ${esc(item.detail.slice(0, 200))}` : '',
        `    ${code(item.command)}`,
      ]
        .filter(Boolean)
        .join('\n'),
    ),
    '',
    ...components.map((c) => {
      const detail =
        c.status === 'up' ? [c.version, c.latencyMs === undefined ? undefined : duration(c.latencyMs)] : [c.status];
      const line = `${statusIcon(c.status)} ${bold(c.label)} — ${esc(detail.filter(Boolean).join(' · '))}`;
      return c.status === 'down' && c.error ? `${line}\n    ${italic(c.error.slice(0, 200))}` : line;
    }),
    italic(`${up} of ${components.length} up${down.length ? `, ${down.length} down` : ''}`),
  );
}
