import { bold, code, esc, lines } from '../format.js';
import type { BotCommand } from './types.js';

/** `/help`: every command, marking those whose operation is not in this build. */
export const helpCommand: BotCommand = {
  name: 'help',
  description: 'The commands this bot answers',
  operations: [],
  async run(request) {
    const rows: string[] = [];
    for (const command of request.commands) {
      const missing = [];
      for (const op of command.operations) if (!(await request.has(op))) missing.push(op);
      const usage = command.usage ?? `/${command.name}`;
      rows.push(`${code(usage)} — ${esc(command.description)}${missing.length ? ' <i>(not in this build)</i>' : ''}`);
    }
    return lines(
      bold('opsctl on-call bot'),
      ...rows,
      '',
      esc('Alerts come here by themselves: failed runs, cost levels, stale backups, lagging watermarks.'),
    );
  },
};
