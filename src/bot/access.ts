import type { BotRole } from '../config/sections/bot.js';

export type { BotRole } from '../config/sections/bot.js';

const RANK: Record<BotRole, number> = { read: 1, run: 2, admin: 3 };

/** Whether `role` includes `needed` (admin ⊃ run ⊃ read). */
export function permits(role: BotRole | undefined, needed: BotRole): boolean {
  return role !== undefined && RANK[role] >= RANK[needed];
}

export interface AccessOptions {
  allowedChats: readonly number[];
  /** bot.users; undefined: every member of an allowed chat reads. */
  users?: Readonly<Record<string, BotRole>> | undefined;
  /** At most one refusal per chat in this window (default one hour). */
  refusalEveryMs?: number;
  now?: () => number;
}

/** Chats whose last refusal is remembered; past it the oldest are forgotten (a flood of new chats cannot grow memory). */
const MAX_REMEMBERED = 10_000;

/**
 * Who may do what: the chat must be on the allowlist and the user (who sent the message or pressed the button) must
 * have a role. Outsiders are told no at most once per chat per window; the rest is ignored, so a stranger cannot make
 * the bot talk (or hit Telegram's rate limits) by writing to it.
 */
export class Access {
  private readonly chats: Set<number>;
  private readonly refusedAt = new Map<number, number>();
  private readonly everyMs: number;
  private readonly now: () => number;

  constructor(private readonly options: AccessOptions) {
    this.chats = new Set(options.allowedChats.map(Number));
    this.everyMs = options.refusalEveryMs ?? 3_600_000;
    this.now = options.now ?? Date.now;
  }

  /** bot.users is set: roles are per user. */
  get perUser(): boolean {
    return this.options.users !== undefined;
  }

  chatAllowed(chatId: number | undefined): boolean {
    return chatId !== undefined && this.chats.has(Number(chatId));
  }

  /** The role of `userId` in `chatId`, or undefined for an outsider (chat not allowed, or user not listed). */
  roleOf(chatId: number | undefined, userId: number | undefined): BotRole | undefined {
    if (!this.chatAllowed(chatId)) return undefined;
    const users = this.options.users;
    if (!users) return 'read';
    return userId === undefined ? undefined : users[String(userId)];
  }

  /** True when this chat has not been refused within the window (and records the refusal now). */
  mayRefuse(chatId: number | undefined): boolean {
    if (chatId === undefined) return false;
    const now = this.now();
    const last = this.refusedAt.get(chatId);
    if (last !== undefined && now - last < this.everyMs) return false;
    this.refusedAt.delete(chatId); // re-inserted last: the Map's order is the order of refusals
    this.refusedAt.set(chatId, now);
    while (this.refusedAt.size > MAX_REMEMBERED) this.refusedAt.delete(this.refusedAt.keys().next().value!);
    return true;
  }
}
