import { z } from 'zod';
import type { BotSummary } from '../../src/bot/service.js';
import { defineOperation } from '../operation.js';

export type BotStartResult = BotSummary;

/**
 * Runs the on-call bot until `ctx.signal` aborts (SIGTERM/SIGINT from the CLI): Telegram, alerts, and the health and
 * metrics server. On abort it stops polling, lets the commands in flight finish, closes everything and returns a
 * summary. A rejected token ends it with a config error.
 */
export const botStart = defineOperation({
  name: 'bot.start',
  summary: 'Run the on-call Telegram bot with its /health and /metrics server until stopped',
  input: z.object({
    /** false: only the health and metrics server, no Telegram (no token needed). */
    telegram: z.boolean().default(true),
    /** Default: bot.alerts.enabled. */
    alerts: z.boolean().optional(),
    port: z.number().int().min(0).max(65535).optional(),
    host: z.string().min(1).optional(),
  }),
  async run(ctx, input): Promise<BotStartResult> {
    const { startBotService } = await import('../../src/bot/service.js');
    const service = await startBotService({
      runtime: ctx,
      telegram: input.telegram,
      ...(input.alerts === undefined ? {} : { alerts: input.alerts }),
      ...(input.port === undefined ? {} : { port: input.port }),
      ...(input.host === undefined ? {} : { host: input.host }),
    });
    ctx.progress({ phase: 'running', note: `${service.url} (/health, /metrics)` });
    const aborted = new Promise<void>((resolve) => {
      if (ctx.signal.aborted) return resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    const outcome = await Promise.race([aborted.then(() => undefined), service.failure]);
    const summary = await service.stop();
    if (outcome instanceof Error) throw outcome;
    return summary;
  },
});
