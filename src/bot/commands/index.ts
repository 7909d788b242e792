import { backupsCommand } from './backups.js';
import { costsCommand } from './costs.js';
import { helpCommand } from './help.js';
import { migrationsCommand } from './migrations.js';
import { runCommand } from './run.js';
import { runsCommand } from './runs.js';
import { statusCommand } from './status.js';
import type { BotCommand } from './types.js';
import { watermarksCommand } from './watermarks.js';

/** The bot's commands, in the order /help and Telegram's menu list them. */
export const BOT_COMMANDS: readonly BotCommand[] = [
  statusCommand,
  runsCommand,
  runCommand,
  costsCommand,
  watermarksCommand,
  backupsCommand,
  migrationsCommand,
  helpCommand,
];
