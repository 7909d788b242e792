import type { StatusResult } from '../../../commands/status.js';
import type { ComponentHealth } from '../../util/health.js';
import { bold, esc, italic, lines, statusIcon } from '../format.js';
import { list, str } from '../shape.js';
import type { BotCommand } from './types.js';

/** `/status`: the Overview (state store, warehouse, database targets, the bot) from the `status` operation. */
export const statusCommand: BotCommand = {
  name: 'status',
  description: 'What is up: state store, warehouse, databases',
  operations: ['status'],
  async run(request) {
    return formatStatus(await request.invoke('status', { timeoutMs: 5_000 }));
  },
};

export function formatStatus(result: unknown): string {
  const r = result as Partial<StatusResult>;
  const components: Array<{ label: string; c: ComponentHealth }> = [];
  if (r.state) components.push({ label: 'state store', c: r.state });
  if (r.warehouse) components.push({ label: 'warehouse', c: r.warehouse });
  for (const t of list(r, 'targets') as ComponentHealth[]) components.push({ label: `db ${t.name}`, c: t });
  if (r.bot && r.bot.status !== 'absent') components.push({ label: 'bot', c: r.bot });
  const down = components.filter(({ c }) => c.status === 'down');
  const up = components.filter(({ c }) => c.status === 'up').length;
  return lines(
    `${down.length ? '❌' : '✅'} ${bold(`opsctl ${str(r, 'opsctlVersion') ?? ''}`.trim())} · ${esc(str(r, 'environment') ?? '')}`,
    ...components.map(({ label, c }) => {
      const detail = c.status === 'up' ? [c.version, c.latencyMs === undefined ? undefined : `${c.latencyMs}ms`] : [c.status];
      const line = `${statusIcon(c.status)} ${bold(label)} — ${esc(detail.filter(Boolean).join(' · '))}`;
      return c.status === 'down' && c.error ? `${line}\n    ${italic(c.error.slice(0, 200))}` : line;
    }),
    italic(`${up} of ${components.length} up${down.length ? `, ${down.length} down` : ''}`),
  );
}
