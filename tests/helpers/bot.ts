import type { InputFor, OperationName, ResultFor } from '../../commands/catalog.js';
import { createRuntime, type Runtime } from '../../commands/runtime.js';
import type { AlertSource } from '../../src/bot/alerts/types.js';
import {
  overlayRunner,
  type OperationFake,
  type OperationFakes,
  type OperationRunner,
} from '../../src/bot/operations.js';
import { startBotService, type BotService } from '../../src/bot/service.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger, type LogRecord } from '../../src/log/logger.js';
import { Redactor } from '../../src/log/redact.js';
import { FakeTelegram } from '../fakes/telegram.js';
import { tempDir } from './tmp.js';

export const TEAM_CHAT = 1001;
export const STRANGER_CHAT = 6666;

/**
 * A stand-in for operation `name`: `answer` gets the input the bot passed and returns a result of the real operation's
 * type, or an Error to throw. Records every call with its input and trigger.
 */
export function fakeOperation<N extends OperationName>(
  name: N,
  answer: (input: InputFor<N>) => ResultFor<N> | Error | Promise<ResultFor<N> | Error>,
) {
  const calls: Array<{ input: InputFor<N>; trigger: string }> = [];
  const fake: OperationFake<N> = async (input, ctx) => {
    calls.push({ input, trigger: ctx.trigger });
    const value = await answer(input);
    if (value instanceof Error) throw value;
    return value;
  };
  return { name, fake, calls };
}

export interface BotHarness {
  fake: FakeTelegram;
  service: BotService;
  runtime: Runtime;
  logs: LogRecord[];
  home: string;
  /** Waits for a log record (records are written after the answer is sent). */
  waitForLog(predicate: (r: LogRecord) => boolean): Promise<LogRecord>;
  /** Someone in `chatId` writes `text`; resolves with the bot's answer (the next message it sends to that chat). */
  ask(
    chatId: number,
    text: string,
  ): Promise<{ text: string; html: string; message_id: number; buttons: Array<{ text: string; data: string }> }>;
  close(): Promise<void>;
}

/** A running bot (its real service, HTTP server and Telegram client) against a fresh fake Telegram. */
export async function startHarness(
  options: {
    /** Fakes by operation name; every other operation is the real one, through the catalog. */
    operations?: OperationFakes;
    run?: OperationRunner;
    bot?: Record<string, unknown>;
    config?: Record<string, unknown>;
    telegram?: boolean;
    sources?: AlertSource[];
    fake?: FakeTelegram;
    /** Wait until the bot polls (default true). */
    waitForPolling?: boolean;
  } = {},
): Promise<BotHarness> {
  const fake = options.fake ?? (await new FakeTelegram().start());
  fake.knownChats.add(TEAM_CHAT);
  const home = tempDir('opsctl-bot-');
  const loaded = loadConfig({
    cwd: home,
    env: {},
    redactor: new Redactor(),
    fileConfig: {
      home,
      ...options.config,
      bot: {
        token: fake.token,
        apiUrl: fake.url,
        port: 0,
        host: '127.0.0.1',
        allowedChats: [TEAM_CHAT],
        // The fake's user in TEAM_CHAT (fake.user(TEAM_CHAT)) may do everything; bot.auth tests set their own users.
        users: { [String(TEAM_CHAT)]: 'admin' },
        ...options.bot,
      },
    },
  });
  const logs: LogRecord[] = [];
  const runtime = createRuntime({
    loaded,
    log: createLogger({ level: 'debug', sink: (r) => logs.push(r) }),
    trigger: 'cli',
  });
  const service = await startBotService({
    runtime,
    alerts: false,
    telegram: options.telegram ?? true,
    run: options.run ?? overlayRunner(options.operations ?? {}),
    ...(options.sources ? { sources: options.sources } : {}),
  });
  if (options.telegram !== false && options.waitForPolling !== false)
    await fake.waitFor(() => fake.waitingPolls > 0, 10_000, 'polling started');
  return {
    fake,
    service,
    runtime,
    logs,
    home,
    waitForLog: (predicate) => fake.waitFor(() => logs.find(predicate), 10_000, 'a log record'),
    async ask(chatId, text) {
      const before = fake.sentTo(chatId).length;
      fake.pushText(chatId, text);
      const message = await fake.waitFor(
        () => fake.sentTo(chatId)[before],
        15_000,
        `an answer to ${text} in chat ${chatId}`,
      );
      return {
        text: message.text,
        html: message.html ?? '',
        message_id: message.message_id,
        buttons: (message.reply_markup?.inline_keyboard ?? [])
          .flat()
          .map((b) => ({ text: b.text, data: b.callback_data ?? '' })),
      };
    },
    async close() {
      await service.stop();
      await runtime.close();
      await fake.close();
    },
  };
}
