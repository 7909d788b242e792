import { bold, code, esc, lines } from '../format.js';
import type { BotCommand } from './types.js';

/** `/help`: every command with its usage. */
export const helpCommand: BotCommand = {
  name: 'help',
  description: 'The commands this bot answers',
  async run(request) {
    return lines(
      bold('opsctl on-call bot'),
      ...request.commands.map((c) => `${code(c.usage ?? `/${c.name}`)} — ${esc(c.description)}`),
      esc('Alerts come here by themselves: failed runs, cost levels, stale backups, lagging watermarks.'),
    );
  },
};
