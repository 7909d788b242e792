import { randomBytes } from 'node:crypto';
import type { InputFor, OperationName, ResultFor } from '../../commands/catalog.js';
import type { OperationContext, Progress } from '../../commands/operation.js';
import { ConfirmationRequired, errorMessage, isOpsError, OpsError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { Access, permits, type BotRole } from './access.js';
import { BOT_COMMANDS } from './commands/index.js';
import type { BotCommand, CommandRequest, ConfirmableAction } from './commands/types.js';
import { code, esc, italic, lines } from './format.js';
import { botRuntime, type OperationRunner } from './operations.js';
import type {
  OutgoingMessage,
  TelegramCallbackQuery,
  TelegramClient,
  TelegramMessage,
  TelegramUpdate,
  TelegramUser,
} from './telegram.js';
import { within } from './within.js';

/** How a message ended, for the log and the `opsctl_bot_messages_total` counter. */
export type Outcome = 'answered' | 'failed' | 'refused' | 'unknown' | 'ignored' | 'confirmed' | 'cancelled' | 'expired';

export const REFUSAL = "⛔ This bot only answers its team's chats.";
/** To someone in an allowed chat who is not in bot.users. */
export const USER_REFUSAL = '⛔ This bot only answers its team: your user id is not in its list.';
const PROGRESS_EDIT_MS = 3_000;

export interface DispatcherOptions {
  telegram: TelegramClient;
  /** The bot's runtime: config, state store, log. Operations run on it with trigger `bot`. */
  runtime: OperationContext;
  run: OperationRunner;
  allowedChats: readonly number[];
  /** bot.users: roles per Telegram user id; undefined: every member of an allowed chat has `read`. */
  users?: Readonly<Record<string, BotRole>> | undefined;
  /** The clock of the once-an-hour refusal (tests). */
  now?: () => number;
  log: Logger;
  commands?: readonly BotCommand[];
  confirmTtlMs?: number;
  /** Aborted when the bot gives up waiting for commands in flight (after the shutdown grace period). */
  signal?: AbortSignal;
  onHandled?: (command: string, outcome: Outcome) => void;
}

interface Pending {
  chatId: number;
  messageId?: number;
  /** The role the person pressing the button needs (not necessarily the one who asked). */
  role: BotRole;
  action: PendingAction;
  expiresAt: number;
}

/** A confirmable action with its operation, input and formatter bound: `execute` runs it and writes the answer. */
type PendingAction = Pick<
  ConfirmableAction<OperationName>,
  'operation' | 'question' | 'button' | 'started' | 'finished'
> & {
  execute(role: BotRole, progress?: (p: Progress) => void): Promise<string>;
};

/**
 * Turns Telegram updates into answers: checks the allowlist, runs the command's module, sends the reply, and runs a
 * confirmed action when its button is pressed. Every update is handled concurrently; `idle()` waits for all of them
 * (the graceful shutdown).
 */
export class Dispatcher {
  /** Our @username, set after getMe: `/status@otherbot` in a group is not for us. */
  username: string | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly pending = new Map<string, Pending>();
  private readonly commands: readonly BotCommand[];
  private readonly access: Access;

  constructor(private readonly options: DispatcherOptions) {
    this.commands = options.commands ?? BOT_COMMANDS;
    this.access = new Access({
      allowedChats: options.allowedChats,
      users: options.users,
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /** Number of updates being handled right now. */
  get busy(): number {
    return this.inFlight.size;
  }

  /** Starts handling an update; never throws (failures are logged and answered). */
  handle(update: TelegramUpdate): Promise<void> {
    const work = this.dispatch(update).catch((error: unknown) => {
      this.options.log.error('bot: handling an update failed', {
        updateId: update.update_id,
        error: errorMessage(error),
      });
    });
    const tracked = work.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
    return tracked;
  }

  /** Resolves when no update is being handled. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * The graceful stop: waits up to `graceMs` for the updates in flight; past it calls `cancel` (which aborts their
   * operations through `signal`) and waits 5 s more. Returns how many were still running when the grace period ended.
   */
  async drain(graceMs: number, cancel: () => void): Promise<number> {
    if (!this.busy) return 0;
    this.options.log.info('bot: stopping; waiting for the commands in flight', {
      count: this.busy,
      graceSec: graceMs / 1000,
    });
    if (await within(this.idle(), graceMs)) return 0;
    const cancelled = this.busy;
    this.options.log.warn('bot: grace period over; cancelling the commands still running', { count: cancelled });
    cancel();
    await within(this.idle(), 5_000);
    return cancelled;
  }

  private async dispatch(update: TelegramUpdate): Promise<void> {
    if (update.message) return this.onMessage(update.message);
    if (update.callback_query) return this.onCallback(update.callback_query);
  }

  /**
   * Someone with no role here (a chat not on the allowlist, or a user not in bot.users): refused once per chat per
   * hour through `reply`, ignored after that; logged every time with the ids to allow.
   */
  private async outsider(
    kind: 'message' | 'button',
    chatId: number | undefined,
    from: TelegramUser | undefined,
    what: string | undefined,
    reply: (chatAllowed: boolean) => Promise<unknown>,
  ): Promise<void> {
    const allowedChat = this.access.chatAllowed(chatId);
    const answer = this.access.mayRefuse(chatId);
    const fields = {
      chatId,
      userId: from?.id,
      username: from?.username,
      kind,
      text: what?.slice(0, 64),
      hint: allowedChat
        ? `add the user id to bot.users (OPSCTL_BOT_USERS) with a role if they should get answers`
        : 'add the chat id to bot.allowedChats (OPSCTL_BOT_ALLOWED_CHATS) if it should get answers',
    };
    const who = allowedChat ? 'a user who is not in bot.users' : 'a chat that is not in the allowlist';
    if (answer) this.options.log.warn(`bot: refused ${who}`, fields);
    else this.options.log.info(`bot: ignored ${who} (refused once already this hour)`, fields);
    this.options.onHandled?.(kind === 'button' ? 'button' : 'none', answer ? 'refused' : 'ignored');
    if (answer) await reply(allowedChat);
  }

  private count(
    command: string,
    outcome: Outcome,
    started: number,
    chatId: number,
    extra: Record<string, unknown> = {},
  ): void {
    this.options.onHandled?.(command, outcome);
    this.options.log.info(`bot: /${command} ${outcome}`, {
      chatId,
      durationMs: Math.round(performance.now() - started),
      ...extra,
    });
  }

  private async onMessage(message: TelegramMessage): Promise<void> {
    const started = performance.now();
    const chatId = message.chat.id;
    const text = message.text?.trim() ?? '';
    const role = this.access.roleOf(chatId, message.from?.id);
    if (!role) {
      return this.outsider('message', chatId, message.from, text, (allowedChat) =>
        this.options.telegram.sendMessage(chatId, { text: esc(allowedChat ? USER_REFUSAL : REFUSAL) }),
      );
    }
    const parsed = parseCommand(text);
    if (!parsed) {
      this.options.onHandled?.('none', 'ignored');
      await this.options.telegram.sendMessage(chatId, {
        text: `${esc('Send')} ${code('/help')} ${esc('for the commands.')}`,
      });
      return;
    }
    if (parsed.bot && this.username && parsed.bot.toLowerCase() !== this.username.toLowerCase()) return; // meant for another bot in the group
    const command = this.commands.find((c) => c.name === parsed.name);
    if (!command) {
      this.count('unknown', 'unknown', started, chatId, { asked: parsed.name.slice(0, 32) });
      await this.options.telegram.sendMessage(chatId, {
        text: `${esc('Unknown command')} ${code(`/${parsed.name}`)}. ${esc('Send')} ${code('/help')}.`,
      });
      return;
    }
    const user = displayName(message.from);
    const needed = command.role ?? 'read';
    if (!permits(role, needed)) {
      this.count(command.name, 'refused', started, chatId, { user, userId: message.from?.id, role, needed });
      await this.options.telegram.sendMessage(chatId, {
        text: lines(
          `⛔ ${code(`/${command.name}`)} ${esc(`needs the ${needed} role; ${user} has ${role}.`)}`,
          italic(roleHint(this.access.perUser, message.from?.id, needed)),
        ),
      });
      return;
    }
    let reply: OutgoingMessage;
    let outcome: Outcome = 'answered';
    let confirmationId: string | undefined;
    try {
      const answer = await command.run(
        this.request(chatId, parsed.args, user, command.name, (id) => (confirmationId = id)),
      );
      reply = typeof answer === 'string' ? { text: answer } : answer;
    } catch (error) {
      outcome = 'failed';
      reply = { text: failureText(`/${command.name}`, error) };
      this.options.log.warn(`bot: /${command.name} failed`, { chatId, error: errorMessage(error) });
    }
    const sent = await this.options.telegram.sendMessage(chatId, reply);
    if (confirmationId) {
      const pending = this.pending.get(confirmationId);
      if (pending) pending.messageId = sent.message_id;
    }
    this.count(command.name, outcome, started, chatId, { user });
  }

  private request(
    chatId: number,
    args: string,
    user: string,
    command: string,
    onConfirm: (id: string) => void,
  ): CommandRequest {
    return {
      chatId,
      args,
      user,
      config: this.options.runtime.config,
      commands: this.commands,
      invoke: (name, input) => this.invoke(name, input, command),
      confirm: (action) => {
        this.expirePending();
        const id = randomBytes(6).toString('base64url');
        const { operation, question, button, started, finished } = action;
        this.pending.set(id, {
          chatId,
          role: action.role ?? 'run',
          action: {
            operation,
            question,
            button,
            started,
            finished,
            execute: async (role, progress) => action.done(await this.invokeConfirmed(action, role, progress)),
          },
          expiresAt: Date.now() + (this.options.confirmTtlMs ?? 300_000),
        });
        onConfirm(id);
        return {
          text: action.question,
          buttons: [
            [
              { text: action.button, data: `ok:${id}` },
              { text: 'Cancel', data: `no:${id}` },
            ],
          ],
        };
      },
    };
  }

  /** Runs an operation by name on the bot's runtime, with trigger `bot` and the bot's cancellation. */
  private invoke<N extends OperationName>(
    name: N,
    input: InputFor<N>,
    command: string,
    progress?: (p: Progress) => void,
  ): Promise<ResultFor<N>> {
    const base = this.options.runtime;
    const ctx = botRuntime(base, {
      signal: this.options.signal ?? base.signal,
      log: base.log.child({ bot: command }),
      ...(progress ? { progress } : {}),
    });
    return this.options.run(name, ctx, input);
  }

  private expirePending(): void {
    const now = Date.now();
    for (const [id, p] of this.pending) if (p.expiresAt < now) this.pending.delete(id);
  }

  private async onCallback(query: TelegramCallbackQuery): Promise<void> {
    const started = performance.now();
    const tg = this.options.telegram;
    const chatId = query.message?.chat.id;
    // The person who pressed, whoever the button was offered to.
    const role = this.access.roleOf(chatId, query.from?.id);
    if (!role) {
      return this.outsider('button', chatId, query.from, query.data, () => tg.answerCallback(query.id, 'Not allowed.'));
    }
    const match = /^(ok|no):([A-Za-z0-9_-]+)$/.exec(query.data ?? '');
    const pending = match ? this.pending.get(match[2]!) : undefined;
    if (
      !match ||
      !pending ||
      pending.expiresAt < Date.now() ||
      pending.chatId !== chatId ||
      (pending.messageId && query.message && pending.messageId !== query.message.message_id)
    ) {
      this.count('button', 'expired', started, chatId!);
      await tg.answerCallback(query.id, 'This button has expired: send the command again.');
      if (query.message)
        await tg
          .editMessage(chatId!, query.message.message_id, {
            text: `${query.message.text ? esc(query.message.text) : ''}\n${italic('⌛ expired')}`,
          })
          .catch(() => undefined);
      return;
    }
    const user = displayName(query.from);
    if (!permits(role, pending.role)) {
      // Not for this person: the button stays for someone who may press it.
      this.count('button', 'refused', started, chatId, {
        operation: pending.action.operation,
        user,
        userId: query.from?.id,
        role,
        needed: pending.role,
      });
      await tg.answerCallback(query.id, `⛔ Needs the ${pending.role} role; you have ${role}.`);
      return;
    }
    this.pending.delete(match[2]!); // one press, one run
    const messageId = query.message?.message_id ?? pending.messageId;
    if (match[1] === 'no') {
      await tg.answerCallback(query.id, 'Cancelled.');
      if (messageId)
        await tg
          .editMessage(chatId, messageId, {
            text: `✖ ${esc('Cancelled by')} ${esc(user)}: ${pending.action.question.split('\n')[0]}`,
          })
          .catch(() => undefined);
      this.count('button', 'cancelled', started, chatId, { operation: pending.action.operation, user });
      return;
    }
    await tg.answerCallback(query.id, 'Starting…');
    const running = pending.action.started(user);
    if (messageId) await tg.editMessage(chatId, messageId, { text: running }).catch(() => undefined);
    const edits = messageId ? progressEditor(tg, chatId, messageId, running) : undefined;
    let text: string;
    let outcome: Outcome = 'confirmed';
    try {
      text = await pending.action.execute(role, edits?.report);
    } catch (error) {
      outcome = 'failed';
      text = failureText(pending.action.button.replace(/^▶\s*/, ''), error);
      this.options.log.warn('bot: confirmed action failed', {
        chatId,
        operation: pending.action.operation,
        error: errorMessage(error),
      });
    } finally {
      await edits?.stop();
    }
    const ended = pending.action.finished(user);
    if (messageId) await tg.editMessage(chatId, messageId, { text: ended }).catch(() => undefined);
    await tg.sendMessage(chatId, { text });
    this.count('button', outcome, started, chatId, { operation: pending.action.operation, user });
  }

  /**
   * The person pressed the button: that is the confirmation a destructive operation asks for, when they are an admin
   * (and unless it needs a typed word).
   */
  private async invokeConfirmed<N extends OperationName>(
    action: ConfirmableAction<N>,
    role: BotRole,
    progress?: (p: Progress) => void,
  ): Promise<ResultFor<N>> {
    try {
      return await this.invoke(action.operation, action.input, 'button', progress);
    } catch (error) {
      if (!(error instanceof ConfirmationRequired) || error.typed) throw error;
      if (!permits(role, 'admin')) {
        throw new OpsError(`${error.action}: confirming it needs the admin role (the one who pressed has ${role})`, {
          hint: 'An admin presses the button; nothing was changed.',
        });
      }
      return this.invoke(action.operation, { ...action.input, confirm: true }, 'button', progress);
    }
  }
}

/** What to do about a missing role, for the refusal. */
function roleHint(perUser: boolean, userId: number | undefined, needed: BotRole): string {
  return perUser
    ? `An admin of opsctl can give user id ${userId ?? '?'} the ${needed} role in bot.users (OPSCTL_BOT_USERS).`
    : `bot.users is not set, so members of this chat may only read: set bot.users (OPSCTL_BOT_USERS) to give roles.`;
}

/** `/status@opsctl_bot args` → { name: 'status', bot: 'opsctl_bot', args }. */
export function parseCommand(text: string): { name: string; bot?: string; args: string } | undefined {
  const m = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,64}))?(?:\s+([\s\S]*))?$/.exec(text);
  if (!m) return undefined;
  return { name: m[1]!.toLowerCase(), ...(m[2] ? { bot: m[2] } : {}), args: (m[3] ?? '').trim() };
}

export function displayName(user: TelegramUser | undefined): string {
  if (!user) return 'someone';
  return user.username ? `@${user.username}` : (user.first_name ?? `user ${user.id}`);
}

/** An error for the chat: the message and the hint, never a stack. */
export function failureText(what: string, error: unknown): string {
  if (error instanceof ConfirmationRequired && error.typed) {
    return lines(
      `⛔ ${esc(what)}: ${esc(error.action)}`,
      italic(`needs the word "${error.typed}" typed: run it from the console or the CLI.`),
    );
  }
  const hint = isOpsError(error) ? error.hint : undefined;
  return lines(`❌ ${esc(what)} failed: ${esc(errorMessage(error).slice(0, 600))}`, hint ? italic(hint) : undefined);
}

/** Edits a message with the latest progress at most every few seconds while an action runs. */
function progressEditor(tg: TelegramClient, chatId: number, messageId: number, header: string) {
  let latest: Progress | undefined;
  let shown: string | undefined;
  let inFlight: Promise<void> | undefined;
  const flush = () => {
    if (!latest || inFlight) return;
    const p = latest;
    const text = `${header}\n${italic(`${p.phase}${p.total ? ` ${p.done ?? 0}/${p.total}` : ''}${p.note ? ` · ${p.note}` : ''}`)}`;
    if (text === shown) return;
    shown = text;
    inFlight = tg
      .editMessage(chatId, messageId, { text })
      .catch(() => undefined)
      .finally(() => (inFlight = undefined));
  };
  const timer = setInterval(flush, PROGRESS_EDIT_MS);
  timer.unref();
  return {
    report: (p: Progress) => {
      latest = p;
    },
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
  };
}
