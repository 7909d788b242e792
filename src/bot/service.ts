import type { OperationContext } from '../../commands/operation.js';
import type { BotConfig } from '../config/sections/bot.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { OPSCTL_VERSION } from '../version.js';
import { AlertEngine } from './alerts/engine.js';
import { scheduleAlerts } from './alerts/scheduler.js';
import { ALERT_SOURCE_BY_NAME } from './alerts/sources.js';
import type { AlertSource } from './alerts/types.js';
import { Dispatcher } from './dispatcher.js';
import { createBotHealth, type HealthReport } from './health.js';
import { closeServer, serveHealth } from './http.js';
import { BotMetrics } from './metrics.js';
import { botRuntime, catalogRunner, type OperationRunner } from './operations.js';
import { registerBot } from './registration.js';
import { createTelegramClient, type TelegramClient, type TelegramUpdate } from './telegram.js';
import { confirmHandled, runTelegramLoop, TelegramLink } from './telegram-loop.js';

export type { HealthReport } from './health.js';
export type { TelegramStatus } from './telegram-loop.js';

export interface BotServiceOptions {
  /** The runtime `bot.start` runs in: config, state store, log. */
  runtime: OperationContext;
  /** false: only the health and metrics server (no token needed). */
  telegram?: boolean;
  /** Default: bot.alerts.enabled. */
  alerts?: boolean;
  port?: number;
  host?: string;
  /** How commands and alert sources run operations (default: the catalog; tests overlay fakes). */
  run?: OperationRunner;
  /** Default: bot.alerts.sources. */
  sources?: readonly AlertSource[];
}

export interface BotSummary {
  url: string;
  telegram: string;
  startedAt: string;
  stoppedAt: string;
  uptimeMs: number;
  messagesHandled: number;
  alertsSent: number;
  /** Commands still running when the grace period ended (cancelled). */
  cancelledInFlight: number;
}

export interface BotService {
  /** http://host:port of the health and metrics server. */
  url: string;
  port: number;
  dispatcher: Dispatcher | undefined;
  alerts: AlertEngine;
  /** Resolves (never rejects) with the error that stops the bot: Telegram rejected the token. */
  failure: Promise<Error>;
  health(): Promise<HealthReport>;
  /** Graceful stop: stop polling, let commands in flight finish (up to the grace period), close everything. */
  stop(): Promise<BotSummary>;
}

/**
 * The on-call bot: Telegram (long polling or webhook), the alert loop, and the HTTP server with /health and /metrics,
 * in one process. `bot.start` runs it until its signal aborts; the demo runs it without Telegram.
 */
export async function startBotService(options: BotServiceOptions): Promise<BotService> {
  const { runtime } = options;
  const bot = runtime.config.bot;
  const log = runtime.log.child({ component: 'bot' });
  const client = options.telegram === false ? undefined : telegramClient(bot);
  const startedAt = new Date();
  const pollAbort = new AbortController(); // stops polling, the alert schedule and webhook deliveries
  const opsAbort = new AbortController(); // cancels operations in flight once the grace period is over
  const link = new TelegramLink(client ? bot.mode : 'disabled', log);
  const tally = { messagesHandled: 0, alertsSent: 0 };
  const metrics = new BotMetrics({
    state: () => runtime.state(),
    version: OPSCTL_VERSION,
    ...(client ? { telegramUp: () => (link.status === 'up' ? 1 : 0) } : {}),
    inFlight: () => dispatcher?.busy ?? 0,
  });
  const wiring: Wiring = {
    runtime,
    bot,
    log,
    run: options.run ?? catalogRunner,
    signal: opsAbort.signal,
    metrics,
    tally,
  };
  const dispatcher = client ? createDispatcher(wiring, client) : undefined;
  const alerts = createAlerts(wiring, client, options.sources);
  const alertsEnabled = options.alerts ?? bot.alerts.enabled;
  const health = createBotHealth({
    env: runtime,
    telegram: link,
    startedAt,
    now: () => ({
      alerts: {
        enabled: alertsEnabled,
        ...(alerts.last ? { lastCheckAt: alerts.last.at, sources: alerts.last.sources } : {}),
      },
      commandsInFlight: dispatcher?.busy ?? 0,
    }),
  });

  const http = await serveHealth(
    {
      log,
      ...health.endpoints,
      access: bot.health,
      metrics: async () => ({ contentType: metrics.contentType, body: await metrics.render() }),
      ...(dispatcher && bot.mode === 'webhook' ? { webhook: webhook(bot, dispatcher, pollAbort.signal) } : {}),
    },
    { host: options.host ?? bot.host, port: options.port ?? bot.port },
  );
  const publicUrl = bot.publicUrl?.replace(/\/+$/, '') ?? http.url;
  if (http.wide) {
    log.warn('bot: the health and metrics server listens on every interface (bot.host)', {
      bind: http.bound,
      hint: `Anyone who reaches this port can read /metrics and the statuses of /health${bot.health.details ? ', and its details (bot.health.details is true)' : ''}; set bot.host to 127.0.0.1 unless that is meant.`,
    });
  }
  log.info('bot: health and metrics server listening', {
    bind: http.bound,
    url: http.url,
    paths: ['/health', '/health/live', '/health/ready', '/metrics'],
    healthDetails: bot.health.details ? 'everyone' : bot.health.token ? 'bearer token' : 'nobody',
  });
  health.warm();

  const registration = await registerBot(
    runtime,
    { healthUrl: publicUrl, telegram: link.snapshot().mode, opsctlVersion: OPSCTL_VERSION },
    log,
  );
  let reportFailure!: (error: Error) => void;
  const failure = new Promise<Error>((resolve) => (reportFailure = resolve));
  const telegramDone =
    client && dispatcher
      ? runTelegramLoop({ client, dispatcher, link, bot, log, signal: pollAbort.signal, onRejected: reportFailure })
      : Promise.resolve(-1);
  const stopAlerts = alertsEnabled
    ? scheduleAlerts(alerts, { firstDelayMs: client ? 2_000 : 0, intervalMs: bot.alerts.intervalSec * 1000 })
    : undefined;

  let stopped: Promise<BotSummary> | undefined;
  const stop = () =>
    (stopped ??= (async (): Promise<BotSummary> => {
      pollAbort.abort();
      stopAlerts?.();
      await alerts.settle();
      const lastUpdateId = await telegramDone;
      const cancelledInFlight = (await dispatcher?.drain(bot.shutdownGraceSec * 1000, () => opsAbort.abort())) ?? 0;
      if (client && bot.mode === 'polling') await confirmHandled(client, lastUpdateId);
      await registration.stop();
      await closeServer(http.server);
      log.info('bot: stopped', tally);
      const stoppedAt = new Date();
      return {
        url: publicUrl,
        telegram: link.snapshot().mode,
        startedAt: startedAt.toISOString(),
        stoppedAt: stoppedAt.toISOString(),
        uptimeMs: stoppedAt.getTime() - startedAt.getTime(),
        ...tally,
        cancelledInFlight,
      };
    })());

  return { url: http.url, port: http.port, dispatcher, alerts, failure, health: health.report, stop };
}

/** What the dispatcher and the alert engine share: how to run operations, and what to count them in. */
interface Wiring {
  runtime: OperationContext;
  bot: BotConfig;
  log: Logger;
  run: OperationRunner;
  /** Aborted when the grace period of a stop is over: cancels the operations the bot started. */
  signal: AbortSignal;
  metrics: BotMetrics;
  tally: { messagesHandled: number; alertsSent: number };
}

/** The Telegram client for `bot`; without a token the bot cannot start (unless it runs without Telegram). */
function telegramClient(bot: BotConfig): TelegramClient {
  if (!bot.token) {
    throw new ConfigError('TELEGRAM_BOT_TOKEN is not set: the bot cannot reach Telegram', {
      hint: 'Set TELEGRAM_BOT_TOKEN (from @BotFather), or run `opsctl bot start --no-telegram` for the health and metrics endpoints only.',
    });
  }
  return createTelegramClient({ token: bot.token, apiUrl: bot.apiUrl });
}

function createDispatcher(w: Wiring, telegram: TelegramClient): Dispatcher {
  if (w.bot.allowedChats.length === 0) {
    w.log.warn('bot: no allowed chats: every message will be refused (the refusal log names the chat id to allow)', {
      hint: 'set OPSCTL_BOT_ALLOWED_CHATS or bot.allowedChats',
    });
  }
  if (w.bot.users === undefined && w.bot.allowedChats.length > 0) {
    w.log.warn('bot: bot.users is not set: every member of the allowed chats may only read (no /run)', {
      hint: 'set bot.users (OPSCTL_BOT_USERS=id:role,…) to give Telegram users the run or admin role',
    });
  }
  return new Dispatcher({
    telegram,
    runtime: w.runtime,
    run: w.run,
    allowedChats: w.bot.allowedChats,
    users: w.bot.users,
    log: w.log,
    confirmTtlMs: w.bot.confirmTtlSec * 1000,
    signal: w.signal,
    onHandled: (command, outcome) => {
      w.tally.messagesHandled++;
      w.metrics.messages.inc({ command, outcome });
    },
  });
}

/** The alert engine over the configured sources; it tells the allowed chats when there is Telegram and a chat. */
function createAlerts(
  w: Wiring,
  telegram: TelegramClient | undefined,
  sources: readonly AlertSource[] = w.bot.alerts.sources.map((name) => ALERT_SOURCE_BY_NAME[name]),
): AlertEngine {
  const chats = w.bot.allowedChats;
  return new AlertEngine({
    sources,
    context: {
      runtime: w.runtime,
      invoke: (name, input) =>
        w.run(name, botRuntime(w.runtime, { signal: w.signal, log: w.log.child({ alerts: name }) }), input),
    },
    store: () => w.runtime.state(),
    ...(telegram && chats.length
      ? { notifier: { chats, send: async (chat, html) => void (await telegram.sendMessage(chat, { text: html })) } }
      : {}),
    log: w.log,
    onGauges: (source, samples) => w.metrics.observe(source.metrics ?? [], samples),
    onAlert: (source, event) => {
      w.tally.alertsSent++;
      w.metrics.alerts.inc({ source, event });
    },
  });
}

/** Webhook mode: Telegram posts updates to the health server; while the bot stops it is told to retry later (503). */
function webhook(bot: BotConfig, dispatcher: Dispatcher, stopping: AbortSignal) {
  return {
    path: bot.webhook.path,
    secretToken: bot.webhook.secretToken!,
    onUpdate: (update: unknown) => {
      if (stopping.aborted) return false;
      // handle() catches and logs its own failures; the webhook answers Telegram at once.
      void dispatcher.handle(update as TelegramUpdate);
      return true;
    },
  };
}
