// A local fake of the Telegram Bot API (https://core.telegram.org/bots/api), enough of it for the on-call bot, following
// the documented contract: POST or GET /bot<token>/<method> with parameters in the query string, an urlencoded or a
// JSON body; answers {"ok":true,"result":…} or {"ok":false,"error_code":N,"description":"…"} with HTTP status N;
// getUpdates long-polls with offset confirmation, limit, timeout, allowed_updates and 409 on a second poller or an
// active webhook; sendMessage and editMessageText check the text (empty, > 4096, HTML parse mode) and the chat;
// answerCallbackQuery accepts each query id once. Everything the bot sends is recorded for the tests to read.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  username?: string;
}

export interface FakeMessage {
  message_id: number;
  from?: FakeUser;
  chat: { id: number; type: string };
  date: number;
  text: string;
  /** The text as the bot sent it (HTML), for assertions on formatting. */
  html?: string;
  entities?: Array<{ type: string; offset: number; length: number }>;
  reply_markup?: { inline_keyboard: Array<Array<{ text: string; callback_data?: string }>> };
  edit_date?: number;
}

export interface FakeUpdate {
  update_id: number;
  message?: FakeMessage;
  callback_query?: { id: string; from: FakeUser; message: FakeMessage; chat_instance: string; data: string };
}

export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
  /** The result the fake answered with, or the error description. */
  ok: boolean;
  result?: unknown;
  error?: string;
}

class ApiError extends Error {
  constructor(
    readonly code: number,
    description: string,
    readonly parameters?: Record<string, unknown>,
  ) {
    super(description);
  }
}

interface PendingPoll {
  params: Record<string, unknown>;
  offset: number | undefined;
  limit: number;
  allowed: string[] | undefined;
  res: ServerResponse;
  timer: NodeJS.Timeout;
}

const HTML_TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'span',
  'tg-spoiler',
  'a',
  'tg-emoji',
  'code',
  'pre',
  'blockquote',
]);

export class FakeTelegram {
  readonly token: string;
  readonly bot: FakeUser;
  readonly calls: RecordedCall[] = [];
  /** Chats the bot may write to (Telegram answers "chat not found" for others); a pushed message adds its chat. */
  readonly knownChats = new Set<number>();
  private server: Server | undefined;
  private port = 0;
  private nextUpdateId = 700_000;
  private nextMessageId = 1;
  private queue: FakeUpdate[] = [];
  private confirmedBelow = 0;
  private polls: PendingPoll[] = [];
  private readonly messages = new Map<string, FakeMessage>();
  private readonly openQueries = new Set<string>();
  private webhookUrl = '';
  private failures: Array<{ method: string; code: number; description: string; parameters?: Record<string, unknown> }> =
    [];
  private down = false;
  private waiters: Array<() => void> = [];

  constructor(options: { token?: string; username?: string } = {}) {
    this.token = options.token ?? '123456:TEST-fake-token-abcdef';
    this.bot = { id: 4242, is_bot: true, first_name: 'opsctl', username: options.username ?? 'opsctl_test_bot' };
  }

  /** getUpdates requests waiting at the fake right now (a bot that is polling has one). */
  get waitingPolls(): number {
    return this.polls.length;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    for (const p of this.polls.splice(0)) {
      clearTimeout(p.timer);
      this.reply(p.res, 200, { ok: true, result: [] });
    }
    if (!this.server) return;
    const server = this.server;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** While down, every request fails with 502 Bad Gateway (as when Telegram's front end is unavailable). */
  setDown(down: boolean): void {
    this.down = down;
    if (down) {
      for (const p of this.polls.splice(0)) {
        clearTimeout(p.timer);
        this.reply(p.res, 502, { ok: false, error_code: 502, description: 'Bad Gateway' });
      }
    }
  }

  /** The next call of `method` fails with this Bot API error. */
  failNext(method: string, code: number, description: string, parameters?: Record<string, unknown>): void {
    this.failures.push({ method: method.toLowerCase(), code, description, ...(parameters ? { parameters } : {}) });
  }

  user(chatId: number): FakeUser {
    return { id: Math.abs(chatId), is_bot: false, first_name: 'Tester', username: `tester${Math.abs(chatId)}` };
  }

  /** Someone writes `text` in chat `chatId`: the update the bot will get. */
  pushText(chatId: number, text: string, from: FakeUser = this.user(chatId)): FakeUpdate {
    this.knownChats.add(chatId);
    const command = /^\/\S+/.exec(text);
    const message: FakeMessage = {
      message_id: this.nextMessageId++,
      from,
      chat: { id: chatId, type: chatId < 0 ? 'group' : 'private' },
      date: Math.floor(Date.now() / 1000),
      text,
      ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] } : {}),
    };
    this.messages.set(`${chatId}:${message.message_id}`, message);
    return this.enqueue({ update_id: this.nextUpdateId++, message });
  }

  /** Someone presses an inline button of a message the bot sent. */
  pushCallback(chatId: number, messageId: number, data: string, from: FakeUser = this.user(chatId)): FakeUpdate {
    const message = this.messages.get(`${chatId}:${messageId}`);
    if (!message) throw new Error(`no message ${messageId} in chat ${chatId}`);
    const id = `${this.nextUpdateId}${Math.floor(Math.random() * 1e6)}`;
    this.openQueries.add(id);
    return this.enqueue({
      update_id: this.nextUpdateId++,
      callback_query: { id, from, message: structuredClone(message), chat_instance: `ci${chatId}`, data },
    });
  }

  /** The bot's calls of one method (case-insensitive), in order. */
  sent(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method.toLowerCase() === method.toLowerCase());
  }

  /** Messages the bot sent to a chat (sendMessage results), in order. */
  sentTo(chatId: number): FakeMessage[] {
    return this.sent('sendMessage')
      .filter((c) => c.ok && Number(c.params.chat_id) === chatId)
      .map((c) => c.result as FakeMessage);
  }

  /** The bot's message as it is now (after edits). */
  message(chatId: number, messageId: number): FakeMessage | undefined {
    return this.messages.get(`${chatId}:${messageId}`);
  }

  /** Waits until `predicate` holds over the recorded calls (it is checked on every call). */
  async waitFor<T>(predicate: () => T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate();
      if (value) return value;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `fake Telegram: ${what} not met within ${timeoutMs} ms; calls: ${this.calls.map((c) => c.method).join(', ')}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private enqueue(update: FakeUpdate): FakeUpdate {
    this.queue.push(update);
    this.wakePolls();
    return update;
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private wakePolls(): void {
    for (const p of [...this.polls]) {
      const batch = this.batch(p.offset, p.limit, p.allowed);
      if (batch.length === 0) continue;
      clearTimeout(p.timer);
      this.polls.splice(this.polls.indexOf(p), 1);
      this.respondPoll(p.res, batch, p.params);
    }
  }

  private batch(offset: number | undefined, limit: number, allowed: string[] | undefined): FakeUpdate[] {
    if (offset !== undefined && offset > this.confirmedBelow) {
      this.confirmedBelow = offset;
      this.queue = this.queue.filter((u) => u.update_id >= offset);
    }
    return this.queue.filter((u) => !allowed || allowed.length === 0 || allowed.some((k) => k in u)).slice(0, limit);
  }

  private respondPoll(res: ServerResponse, batch: FakeUpdate[], params: Record<string, unknown>): void {
    const result = structuredClone(batch);
    this.calls.push({ method: 'getUpdates', params, ok: true, result });
    this.reply(res, 200, { ok: true, result });
    this.notify();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!m) return this.reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    if (this.down) return this.reply(res, 502, { ok: false, error_code: 502, description: 'Bad Gateway' });
    if (decodeURIComponent(m[1]!) !== this.token)
      return this.reply(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const method = m[2]!;
    let params: Record<string, unknown>;
    try {
      params = { ...Object.fromEntries(url.searchParams), ...(await readParams(req)) };
    } catch (error) {
      return this.reply(res, 400, {
        ok: false,
        error_code: 400,
        description: `Bad Request: ${(error as Error).message}`,
      });
    }
    const failure = this.failures.findIndex((f) => f.method === method.toLowerCase());
    if (failure >= 0) {
      const f = this.failures.splice(failure, 1)[0]!;
      this.calls.push({ method, params, ok: false, error: f.description });
      this.notify();
      return this.reply(res, f.code, {
        ok: false,
        error_code: f.code,
        description: f.description,
        ...(f.parameters ? { parameters: f.parameters } : {}),
      });
    }
    if (method.toLowerCase() === 'getupdates') return this.getUpdates(params, res);
    try {
      const result = this.call(method.toLowerCase(), params);
      this.calls.push({ method, params, ok: true, result });
      this.reply(res, 200, { ok: true, result });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      this.calls.push({ method, params, ok: false, error: error.message });
      this.reply(res, error.code, {
        ok: false,
        error_code: error.code,
        description: error.message,
        ...(error.parameters ? { parameters: error.parameters } : {}),
      });
    }
    this.notify();
  }

  private getUpdates(params: Record<string, unknown>, res: ServerResponse): void {
    if (this.webhookUrl) {
      this.calls.push({ method: 'getUpdates', params, ok: false, error: 'webhook active' });
      return this.reply(res, 409, {
        ok: false,
        error_code: 409,
        description:
          "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      });
    }
    for (const other of this.polls.splice(0)) {
      clearTimeout(other.timer);
      this.reply(other.res, 409, {
        ok: false,
        error_code: 409,
        description:
          'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      });
    }
    const offset = params.offset === undefined ? undefined : Number(params.offset);
    const limit = Math.min(100, Math.max(1, Number(params.limit ?? 100)));
    const timeout = Math.max(0, Number(params.timeout ?? 0));
    const allowed = parseJsonParam(params.allowed_updates) as string[] | undefined;
    const batch = this.batch(offset, limit, allowed);
    if (batch.length > 0 || timeout === 0) return this.respondPoll(res, batch, params);
    const poll: PendingPoll = {
      params,
      offset,
      limit,
      allowed,
      res,
      timer: setTimeout(() => {
        this.polls.splice(this.polls.indexOf(poll), 1);
        this.respondPoll(res, [], params);
      }, timeout * 1000),
    };
    res.on('close', () => {
      // The client gave up (aborted its request): forget the poll.
      const i = this.polls.indexOf(poll);
      if (i >= 0) {
        clearTimeout(poll.timer);
        this.polls.splice(i, 1);
      }
    });
    this.polls.push(poll);
    this.notify();
  }

  private call(method: string, p: Record<string, unknown>): unknown {
    switch (method) {
      case 'getme':
        return {
          ...this.bot,
          can_join_groups: true,
          can_read_all_group_messages: false,
          supports_inline_queries: false,
        };
      case 'sendmessage': {
        const chatId = this.chat(p);
        const html = requireText(p);
        const text = p.parse_mode === 'HTML' ? parseHtml(html) : html;
        const markup = parseMarkup(p.reply_markup);
        const message: FakeMessage = {
          message_id: this.nextMessageId++,
          from: this.bot,
          chat: { id: chatId, type: chatId < 0 ? 'group' : 'private' },
          date: Math.floor(Date.now() / 1000),
          text,
          html,
          ...(markup ? { reply_markup: markup } : {}),
        };
        this.messages.set(`${chatId}:${message.message_id}`, message);
        return structuredClone(message);
      }
      case 'editmessagetext': {
        const chatId = this.chat(p);
        const existing = this.messages.get(`${chatId}:${Number(p.message_id)}`);
        if (!existing || existing.from?.id !== this.bot.id)
          throw new ApiError(400, 'Bad Request: message to edit not found');
        const html = requireText(p);
        const text = p.parse_mode === 'HTML' ? parseHtml(html) : html;
        const markup = parseMarkup(p.reply_markup);
        if (existing.text === text && JSON.stringify(existing.reply_markup) === JSON.stringify(markup)) {
          throw new ApiError(
            400,
            'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
          );
        }
        existing.text = text;
        existing.html = html;
        existing.edit_date = Math.floor(Date.now() / 1000);
        if (markup) existing.reply_markup = markup;
        else delete existing.reply_markup; // no reply_markup: the inline keyboard goes away
        return structuredClone(existing);
      }
      case 'answercallbackquery': {
        const id = String(p.callback_query_id ?? '');
        if (!this.openQueries.delete(id))
          throw new ApiError(400, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
        if (typeof p.text === 'string' && p.text.length > 200) throw new ApiError(400, 'Bad Request: MESSAGE_TOO_LONG');
        return true;
      }
      case 'setmycommands': {
        const commands = parseJsonParam(p.commands);
        if (!Array.isArray(commands)) throw new ApiError(400, 'Bad Request: parameter "commands" is required');
        for (const c of commands as Array<{ command?: string; description?: string }>) {
          if (!/^[a-z0-9_]{1,32}$/.test(c.command ?? '')) throw new ApiError(400, 'Bad Request: BOT_COMMAND_INVALID');
          if (!c.description || c.description.length > 256)
            throw new ApiError(400, 'Bad Request: BOT_COMMAND_DESCRIPTION_INVALID');
        }
        return true;
      }
      case 'deletewebhook':
        this.webhookUrl = '';
        if (String(p.drop_pending_updates) === 'true') this.queue = [];
        return true;
      case 'setwebhook': {
        const url = String(p.url ?? '');
        if (url && !url.startsWith('https://'))
          throw new ApiError(400, 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
        this.webhookUrl = url;
        return true;
      }
      case 'getwebhookinfo':
        return {
          url: this.webhookUrl,
          has_custom_certificate: false,
          pending_update_count: this.webhookUrl ? this.queue.length : 0,
        };
      default:
        throw new ApiError(404, 'Not Found');
    }
  }

  private chat(p: Record<string, unknown>): number {
    if (p.chat_id === undefined || p.chat_id === '') throw new ApiError(400, 'Bad Request: chat_id is empty');
    const id = Number(p.chat_id);
    if (!Number.isInteger(id) || !this.knownChats.has(id)) throw new ApiError(400, 'Bad Request: chat not found');
    return id;
  }

  private reply(res: ServerResponse, status: number, body: unknown): void {
    if (res.writableEnded || res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}

async function readParams(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  if (!body) return {};
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') return JSON.parse(body) as Record<string, unknown>;
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(body));
  throw new Error(
    `unsupported content type ${type || '(none)'} (this fake reads query strings, urlencoded and JSON bodies)`,
  );
}

function parseJsonParam(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw new ApiError(400, "Bad Request: can't parse JSON parameter");
  }
}

function requireText(p: Record<string, unknown>): string {
  const text = typeof p.text === 'string' ? p.text : '';
  if (text.trim() === '') throw new ApiError(400, 'Bad Request: message text is empty');
  if (text.length > 4096) throw new ApiError(400, 'Bad Request: message is too long');
  return text;
}

function parseMarkup(value: unknown): FakeMessage['reply_markup'] | undefined {
  if (value === undefined || value === '') return undefined;
  const markup = parseJsonParam(value) as FakeMessage['reply_markup'];
  if (!markup || !Array.isArray(markup.inline_keyboard))
    throw new ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object");
  for (const row of markup.inline_keyboard) {
    for (const button of row) {
      if (!button.text) throw new ApiError(400, 'Bad Request: text buttons are unallowed in the inline keyboard');
      if (
        button.callback_data !== undefined &&
        (Buffer.byteLength(button.callback_data) < 1 || Buffer.byteLength(button.callback_data) > 64)
      ) {
        throw new ApiError(400, 'Bad Request: BUTTON_DATA_INVALID');
      }
    }
  }
  return markup;
}

/** Checks text in Telegram's HTML parse mode and returns the plain text Telegram would store. */
export function parseHtml(html: string): string {
  const stack: string[] = [];
  let out = '';
  let i = 0;
  const fail = (what: string): never => {
    throw new ApiError(
      400,
      `Bad Request: can't parse entities: ${what} at byte offset ${Buffer.byteLength(html.slice(0, i))}`,
    );
  };
  while (i < html.length) {
    const c = html[i]!;
    if (c === '<') {
      const end = html.indexOf('>', i);
      if (end < 0) fail('Unclosed start tag');
      const inner = html.slice(i + 1, end);
      const closing = inner.startsWith('/');
      const name = (closing ? inner.slice(1) : inner).trim().split(/\s+/)[0]!.toLowerCase();
      if (closing) {
        if (stack.at(-1) !== name)
          fail(stack.length ? `Can't find end tag corresponding to start tag "${stack.at(-1)}"` : `Unexpected end tag`);
        stack.pop();
      } else {
        if (!HTML_TAGS.has(name)) fail(`Unsupported start tag "${name}"`);
        stack.push(name);
      }
      i = end + 1;
    } else if (c === '&') {
      const m = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);/i.exec(html.slice(i));
      if (!m) fail("Can't find end of the entity starting");
      const e = m![1]!.toLowerCase();
      out +=
        e === 'lt'
          ? '<'
          : e === 'gt'
            ? '>'
            : e === 'amp'
              ? '&'
              : e === 'quot'
                ? '"'
                : String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
      i += m![0].length;
    } else {
      out += c;
      i++;
    }
  }
  if (stack.length) fail(`Can't find end tag corresponding to start tag "${stack.at(-1)}"`);
  return out;
}
