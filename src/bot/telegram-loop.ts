import { setTimeout as sleep } from 'node:timers/promises';
import type { BotConfig } from '../config/sections/bot.js';
import { ConfigError, errorMessage } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { BOT_COMMANDS } from './commands/index.js';
import type { Dispatcher } from './dispatcher.js';
import type { TelegramClient } from './telegram.js';

export type TelegramStatus = 'starting' | 'up' | 'down' | 'disabled';

/** The Telegram connection as /health shows it. */
export interface TelegramState {
  status: TelegramStatus;
  /** polling, webhook, or disabled (the bot serves only /health and /metrics). */
  mode: string;
  username?: string;
  lastOkAt?: string;
  error?: string;
}

/** What the bot knows of its Telegram connection: the loop writes it; readiness, /health and /metrics read it. */
export class TelegramLink {
  private readonly state: TelegramState;

  constructor(
    mode: 'polling' | 'webhook' | 'disabled',
    private readonly log: Logger,
  ) {
    this.state = { status: mode === 'disabled' ? 'disabled' : 'starting', mode };
  }

  get status(): TelegramStatus {
    return this.state.status;
  }

  /** Counts against readiness: enabled and not connected. */
  get unready(): boolean {
    return this.state.status !== 'up' && this.state.status !== 'disabled';
  }

  snapshot(): TelegramState {
    return { ...this.state };
  }

  up(username?: string): void {
    this.state.status = 'up';
    this.state.lastOkAt = new Date().toISOString();
    if (username) this.state.username = username;
    delete this.state.error;
  }

  /** Unreachable for now; logged once per outage. */
  down(error: unknown): void {
    if (this.state.status !== 'down')
      this.log.warn('bot: Telegram is unreachable; retrying', { error: errorMessage(error) });
    this.state.status = 'down';
    this.state.error = errorMessage(error);
  }

  /** Telegram refused the token: down for good. */
  rejected(error: ConfigError): void {
    this.state.status = 'down';
    this.state.error = error.message;
  }
}

export interface TelegramLoopOptions {
  client: TelegramClient;
  dispatcher: Dispatcher;
  link: TelegramLink;
  bot: BotConfig;
  log: Logger;
  /** Aborting it ends the loop (and the long poll in flight). */
  signal: AbortSignal;
  /** Telegram rejected the token: the loop has ended and the bot cannot work. */
  onRejected(error: ConfigError): void;
}

const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 60_000;

/**
 * Connects (getMe, the command menu), then either sets the webhook and returns, or long-polls and hands every update
 * to the dispatcher until the signal aborts. A failure is retried after a backoff that doubles from 1 s to 60 s; a
 * rejected token ends the loop. Resolves with the highest update id received (-1: none), for `confirmHandled`.
 */
export async function runTelegramLoop(options: TelegramLoopOptions): Promise<number> {
  const { client, dispatcher, link, bot, log, signal } = options;
  let lastUpdateId = -1;
  let backoff = FIRST_BACKOFF_MS;
  while (!signal.aborted) {
    try {
      const me = await client.getMe(signal);
      dispatcher.username = me.username;
      link.up(me.username);
      await client
        .setCommands(
          BOT_COMMANDS.map((c) => ({ command: c.name, description: c.description })),
          signal,
        )
        .catch((error: unknown) => log.warn('bot: could not set the command menu', { error: errorMessage(error) }));
      if (bot.mode === 'webhook') {
        await client.setWebhook(bot.webhook.url!, bot.webhook.secretToken!, signal);
        link.up();
        log.info('bot: webhook set; Telegram posts updates to it', { url: bot.webhook.url, path: bot.webhook.path });
        return lastUpdateId;
      }
      await client.deleteWebhook(signal);
      log.info('bot: polling Telegram for updates', { username: me.username, allowedChats: bot.allowedChats.length });
      for await (const update of client.updates(
        { timeoutSec: bot.pollTimeoutSec, onError: (error) => link.down(error), onPoll: () => link.up() },
        signal,
      )) {
        lastUpdateId = Math.max(lastUpdateId, update.update_id);
        void dispatcher.handle(update); // tracked by the dispatcher, which logs its own failures
      }
      return lastUpdateId;
    } catch (error) {
      if (signal.aborted) break;
      if (error instanceof ConfigError) {
        link.rejected(error);
        options.onRejected(error);
        break;
      }
      link.down(error);
      await sleep(backoff, undefined, { signal }).catch(() => undefined); // rejects only when aborted: the loop ends
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }
  return lastUpdateId;
}

/** Tells Telegram the updates up to `lastUpdateId` were handled, so a restarted bot does not get them again. */
export async function confirmHandled(client: TelegramClient, lastUpdateId: number): Promise<void> {
  if (lastUpdateId < 0) return;
  await client.confirmOffset(lastUpdateId + 1, AbortSignal.timeout(3_000)).catch(() => undefined);
}
