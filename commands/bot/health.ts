import { z } from 'zod';
import { findBot, probeBotAt, type BotComponent } from '../../src/health/checks/bot.js';
import { defineOperation } from '../operation.js';

export type BotHealthResult = BotComponent;

/**
 * Is a bot running and healthy? Asks the health endpoint of the bot registered in the state store (or of `url`).
 */
export const botHealth = defineOperation({
  name: 'bot.health',
  summary: 'Check a running bot through its health endpoint',
  input: z.object({
    /** Base URL of the bot's health server (default: the bot registered in the state store). */
    url: z.string().url().optional(),
    timeoutMs: z.number().int().min(100).max(60_000).default(3_000),
  }),
  async run(ctx, input): Promise<BotHealthResult> {
    const token = ctx.config.bot.health.token; // the details need it; without it the bot answers statuses only
    if (input.url) return probeBotAt(input.url.replace(/\/+$/, ''), input.timeoutMs, undefined, token);
    return findBot(await ctx.state(), { timeoutMs: input.timeoutMs, token });
  },
});
