import { setTimeout as sleep } from 'node:timers/promises';
import { Api, isTransientError, TelegramApiError, type InlineKeyboardMarkup } from 'node-telegram-bot-api';
import { ConfigError, ConnectionError, errorMessage } from '../errors.js';
import { redactor } from '../log/redact.js';

/**
 * The part of the Telegram Bot API the bot uses, over `node-telegram-bot-api` (v2: built-in fetch, no dependencies,
 * Node ≥ 18). Its `apiRoot` option (v1's `baseApiUrl`) points it at a self-hosted Bot API server or at the test fake.
 * Nothing else in opsctl imports the library.
 */

/** The fields of an update the bot reads (a subset of Telegram's Update object). */
export interface TelegramUser {
  id: number;
  is_bot?: boolean;
  first_name?: string;
  username?: string;
}
export interface TelegramChat {
  id: number;
  type: string;
  title?: string;
  username?: string;
}
export interface TelegramMessage {
  message_id: number;
  date: number;
  chat: TelegramChat;
  from?: TelegramUser;
  text?: string;
}
export interface TelegramCallbackQuery {
  id: string;
  from: TelegramUser;
  message?: TelegramMessage;
  data?: string;
}
export interface TelegramUpdate {
  update_id: number;
  message?: TelegramMessage;
  callback_query?: TelegramCallbackQuery;
}

export interface InlineButton {
  text: string;
  /** callback_data: at most 64 bytes. */
  data: string;
}

/** A reply: HTML text (Telegram's HTML subset) and optional inline buttons. */
export interface OutgoingMessage {
  text: string;
  buttons?: InlineButton[][];
}

export interface TelegramClientOptions {
  token: string;
  apiUrl: string;
  /** Per-request timeout for ordinary calls. */
  timeoutMs?: number;
}

export interface TelegramClient {
  getMe(signal?: AbortSignal): Promise<TelegramUser>;
  sendMessage(chatId: number, message: OutgoingMessage, signal?: AbortSignal): Promise<TelegramMessage>;
  editMessage(chatId: number, messageId: number, message: OutgoingMessage, signal?: AbortSignal): Promise<void>;
  answerCallback(callbackQueryId: string, text?: string, signal?: AbortSignal): Promise<void>;
  setCommands(commands: Array<{ command: string; description: string }>, signal?: AbortSignal): Promise<void>;
  deleteWebhook(signal?: AbortSignal): Promise<void>;
  setWebhook(url: string, secretToken: string, signal?: AbortSignal): Promise<void>;
  /** Long-polls getUpdates until the signal aborts (the request in flight is aborted with it). */
  updates(
    options: { timeoutSec: number; onError: (error: unknown) => void; onPoll?: () => void },
    signal: AbortSignal,
  ): AsyncIterable<TelegramUpdate>;
  /** Tells Telegram every update below `offset` was handled (getUpdates with that offset and no wait). */
  confirmOffset(offset: number, signal?: AbortSignal): Promise<void>;
}

const MAX_TEXT = 4096;

function markup(buttons: InlineButton[][] | undefined): InlineKeyboardMarkup | undefined {
  if (!buttons) return undefined;
  return { inline_keyboard: buttons.map((row) => row.map((b) => ({ text: b.text, callback_data: b.data }))) };
}

/** Redacts secrets, and cuts texts over Telegram's 4096 characters at a line break (every line closes its own tags). */
export function fitMessage(raw: string): string {
  const text = redactor.redact(raw);
  if (text.length <= MAX_TEXT) return text;
  const suffix = '\n… (cut: too long for one message)';
  const room = MAX_TEXT - suffix.length;
  const cut = text.lastIndexOf('\n', room);
  return `${text.slice(0, cut > 0 ? cut : room)}${suffix}`;
}

export function createTelegramClient(options: TelegramClientOptions): TelegramClient {
  const api = new Api(options.token, {
    apiRoot: options.apiUrl,
    timeoutMs: options.timeoutMs ?? 30_000,
    maxRetries: 2,
  });
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw telegramError(what, error);
    }
  };
  return {
    getMe: (signal) => call('getMe', () => api.getMe(signal) as Promise<TelegramUser>),
    async sendMessage(chatId, message, signal) {
      const reply_markup = markup(message.buttons);
      return call(
        'sendMessage',
        async () =>
          (await api.sendMessage(
            {
              chat_id: chatId,
              text: fitMessage(message.text),
              parse_mode: 'HTML',
              link_preview_options: { is_disabled: true },
              ...(reply_markup ? { reply_markup } : {}),
            },
            signal,
          )) as TelegramMessage,
      );
    },
    async editMessage(chatId, messageId, message, signal) {
      const reply_markup = markup(message.buttons);
      await call('editMessageText', () =>
        api.editMessageText(
          {
            chat_id: chatId,
            message_id: messageId,
            text: fitMessage(message.text),
            parse_mode: 'HTML',
            ...(reply_markup ? { reply_markup } : {}),
          },
          signal,
        ),
      );
    },
    async answerCallback(callbackQueryId, text, signal) {
      await call('answerCallbackQuery', () =>
        api.answerCallbackQuery({ callback_query_id: callbackQueryId, ...(text ? { text } : {}) }, signal),
      );
    },
    async setCommands(commands, signal) {
      await call('setMyCommands', () => api.setMyCommands({ commands }, signal));
    },
    async deleteWebhook(signal) {
      await call('deleteWebhook', () => api.deleteWebhook({ drop_pending_updates: false }, signal));
    },
    async setWebhook(url, secretToken, signal) {
      await call('setWebhook', () =>
        api.setWebhook({ url, secret_token: secretToken, allowed_updates: ['message', 'callback_query'] }, signal),
      );
    },
    async *updates(opts, signal) {
      // The library's longPoll, plus a hook on every successful poll (an empty one too), so the bot knows it is
      // connected again after an outage without waiting for a message.
      // After a failure the next poll does not wait at Telegram, so a recovery is seen at once.
      let offset: number | undefined;
      let recovering = false;
      while (!signal.aborted) {
        let batch: TelegramUpdate[];
        try {
          const timeout = recovering ? 0 : opts.timeoutSec;
          batch = await api.getUpdates(
            { ...(offset === undefined ? {} : { offset }), timeout, allowed_updates: ['message', 'callback_query'] },
            signal,
          );
          recovering = false;
        } catch (error) {
          if (signal.aborted) return;
          if (!isTransientError(error)) throw telegramError('getUpdates', error);
          recovering = true;
          opts.onError(error);
          const retryAfter = error instanceof TelegramApiError && error.retryAfter ? error.retryAfter * 1000 : 2_000;
          await sleep(retryAfter, undefined, { signal }).catch(() => undefined); // rejects only when aborted: the loop ends
          continue;
        }
        opts.onPoll?.();
        for (const update of batch) {
          offset = update.update_id + 1;
          yield update;
        }
      }
    },
    async confirmOffset(offset, signal) {
      await call('getUpdates', () => api.getUpdates({ offset, limit: 1, timeout: 0 }, signal));
    },
  };
}

/** Maps the library's errors to opsctl's: a rejected token is a config problem, the rest a connection problem. */
export function telegramError(what: string, error: unknown): Error {
  if (error instanceof TelegramApiError) {
    if (error.errorCode === 401 || error.errorCode === 404) {
      return new ConfigError(`Telegram rejected the bot token (${what}: ${error.errorCode} ${error.description})`, {
        hint: 'Check TELEGRAM_BOT_TOKEN (from @BotFather) and bot.apiUrl.',
        cause: error,
      });
    }
    return new ConnectionError(`Telegram ${what} failed: ${error.errorCode} ${error.description}`, {
      hint: 'See the Bot API error above; the bot retries transient failures itself.',
      cause: error,
      details: { errorCode: error.errorCode },
    });
  }
  if (error instanceof Error && error.name === 'AbortError') return error;
  return new ConnectionError(`Telegram ${what} failed: ${errorMessage(error)}${causeOf(error)}`, {
    hint: 'Check the network path to the Telegram Bot API (bot.apiUrl).',
    cause: error,
  });
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: unknown })?.cause;
  return cause instanceof Error ? ` (${cause.message})` : '';
}
