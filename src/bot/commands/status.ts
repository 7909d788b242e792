import type { ResultFor } from '../../../commands/catalog.js';
import { duration } from '../../format.js';
import { bold, esc, italic, lines, statusIcon } from '../format.js';
import type { BotCommand } from './types.js';

/** `/status`: every component of the health-check registry, from the `status` operation. */
export const statusCommand: BotCommand = {
  name: 'status',
  description: 'What is up: state store, warehouse, databases',
  async run(request) {
    return formatStatus(await request.invoke('status', { timeoutMs: 5_000 }));
  },
};

export function formatStatus(r: ResultFor<'status'>): string {
  // A bot that is not running is not news in the chat of the bot that answers.
  const components = r.components.filter((c) => !(c.group === 'bot' && c.status === 'absent'));
  const down = components.filter((c) => c.status === 'down');
  const up = components.filter((c) => c.status === 'up').length;
  return lines(
    `${down.length ? '❌' : '✅'} ${bold(`opsctl ${r.opsctlVersion}`)} · ${esc(r.environment)}`,
    ...components.map((c) => {
      const detail =
        c.status === 'up' ? [c.version, c.latencyMs === undefined ? undefined : duration(c.latencyMs)] : [c.status];
      const line = `${statusIcon(c.status)} ${bold(c.label)} — ${esc(detail.filter(Boolean).join(' · '))}`;
      return c.status === 'down' && c.error ? `${line}\n    ${italic(c.error.slice(0, 200))}` : line;
    }),
    italic(`${up} of ${components.length} up${down.length ? `, ${down.length} down` : ''}`),
  );
}
