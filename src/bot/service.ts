import { invoke } from '../../commands/operation.js';
import type { OperationContext } from '../../commands/operation.js';
import { ConfigError, errorMessage } from '../errors.js';
import { checkHealth, healthChecks, runCheck } from '../health/registry.js';
import type { ComponentHealth } from '../health/types.js';
import {
  heartbeatBotInstance,
  pruneDeadBotInstances,
  registerBotInstance,
  unregisterBotInstance,
} from '../state/bot.js';
import { OPSCTL_VERSION } from '../version.js';
import { AlertEngine, type AlertRound } from './alerts/engine.js';
import { ALERT_SOURCE_BY_NAME } from './alerts/sources.js';
import type { AlertContext, AlertSource } from './alerts/types.js';
import { BOT_COMMANDS } from './commands/index.js';
import { Dispatcher } from './dispatcher.js';
import { closeServer, createHealthServer, listen } from './http.js';
import { BotMetrics } from './metrics.js';
import { botRuntime, catalogResolver, type OperationResolver } from './operations.js';
import { createTelegramClient, sleep, type TelegramClient, type TelegramUpdate } from './telegram.js';

export type TelegramStatus = 'starting' | 'up' | 'down' | 'disabled';

export interface BotServiceOptions {
  /** The runtime `bot.start` runs in: config, state store, log. */
  runtime: OperationContext;
  /** false: only the health and metrics server (no token needed). */
  telegram?: boolean;
  /** Default: bot.alerts.enabled. */
  alerts?: boolean;
  port?: number;
  host?: string;
  /** How commands and alert sources find operations (default: the catalog). */
  resolve?: OperationResolver;
  /** Default: bot.alerts.sources. */
  sources?: readonly AlertSource[];
}

export interface HealthReport {
  status: 'ok' | 'degraded' | 'down';
  ready: boolean;
  reasons: string[];
  version: string;
  startedAt: string;
  uptimeSeconds: number;
  state: ComponentHealth;
  telegram: { status: TelegramStatus; mode: string; username?: string; lastOkAt?: string; error?: string };
  /** Every other component of the health-check registry (warehouse, targets…), probed at most every 30 s. */
  components: ComponentHealth[];
  alerts: { enabled: boolean; lastCheckAt?: string; sources?: AlertRound['sources'] };
  commandsInFlight: number;
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

const HEARTBEAT_MS = 15_000;
const COMPONENTS_TTL_MS = 30_000;
const PROBE_TIMEOUT_MS = 3_000;
const COMPONENTS_WAIT_MS = 1_000;

/**
 * The on-call bot: Telegram (long polling or webhook), the alert loop, and the HTTP server with /health and /metrics,
 * in one process. `bot.start` runs it until its signal aborts; the demo runs it without Telegram.
 */
export async function startBotService(options: BotServiceOptions): Promise<BotService> {
  const runtime = options.runtime;
  const { config } = runtime;
  const bot = config.bot;
  const log = runtime.log.child({ component: 'bot' });
  const telegramEnabled = options.telegram ?? true;
  if (telegramEnabled && !bot.token) {
    throw new ConfigError('TELEGRAM_BOT_TOKEN is not set: the bot cannot reach Telegram', {
      hint: 'Set TELEGRAM_BOT_TOKEN (from @BotFather), or run `opsctl bot start --no-telegram` for the health and metrics endpoints only.',
    });
  }
  const resolve = options.resolve ?? catalogResolver;
  const startedAt = new Date();
  const pollAbort = new AbortController(); // stops polling and the loops
  const opsAbort = new AbortController(); // cancels operations in flight once the grace period is over
  let stopping = false;
  let messagesHandled = 0;
  let alertsSent = 0;
  let lastUpdateId = -1;
  let instanceId: string | undefined;
  let reportFailure!: (error: Error) => void;
  const failure = new Promise<Error>((r) => (reportFailure = r));

  const telegram: HealthReport['telegram'] = {
    status: telegramEnabled ? 'starting' : 'disabled',
    mode: telegramEnabled ? bot.mode : 'disabled',
  };
  const markUp = () => {
    telegram.status = 'up';
    telegram.lastOkAt = new Date().toISOString();
    delete telegram.error;
  };
  const markDown = (error: unknown) => {
    if (telegram.status !== 'down') log.warn('bot: Telegram is unreachable; retrying', { error: errorMessage(error) });
    telegram.status = 'down';
    telegram.error = errorMessage(error);
  };

  const client: TelegramClient | undefined = telegramEnabled
    ? createTelegramClient({ token: bot.token!, apiUrl: bot.apiUrl })
    : undefined;
  const metrics = new BotMetrics({
    state: () => runtime.state(),
    version: OPSCTL_VERSION,
    ...(telegramEnabled ? { telegramUp: () => (telegram.status === 'up' ? 1 : 0) } : {}),
    inFlight: () => dispatcher?.busy ?? 0,
  });
  const dispatcher = client
    ? new Dispatcher({
        telegram: client,
        runtime,
        resolve,
        allowedChats: bot.allowedChats,
        log,
        confirmTtlMs: bot.confirmTtlSec * 1000,
        signal: opsAbort.signal,
        onHandled: (command, outcome) => {
          messagesHandled++;
          metrics.messages.inc({ command, outcome });
        },
      })
    : undefined;
  if (dispatcher && bot.allowedChats.length === 0) {
    log.warn('bot: no allowed chats: every message will be refused (the refusal log names the chat id to allow)', {
      hint: 'set OPSCTL_BOT_ALLOWED_CHATS or bot.allowedChats',
    });
  }

  const alertContext: AlertContext = {
    runtime,
    async invoke(name, input = {}) {
      const operation = await resolve(name);
      if (!operation) return undefined;
      return {
        result: await invoke(
          operation,
          botRuntime(runtime, { signal: opsAbort.signal, log: log.child({ alerts: name }) }),
          input,
        ),
      };
    },
  };
  const sources = options.sources ?? bot.alerts.sources.map((name) => ALERT_SOURCE_BY_NAME[name]);
  const alertsEnabled = options.alerts ?? bot.alerts.enabled;
  const alerts = new AlertEngine({
    sources,
    context: alertContext,
    store: () => runtime.state(),
    ...(client && bot.allowedChats.length
      ? {
          notifier: {
            chats: bot.allowedChats,
            send: async (chat, html) => void (await client.sendMessage(chat, { text: html })),
          },
        }
      : {}),
    log,
    onGauges: (source, samples) => metrics.observe(source.metrics ?? [], samples),
    onAlert: (source, event) => {
      alertsSent++;
      metrics.alerts.inc({ source, event });
    },
  });

  // --- health --------------------------------------------------------------------------------------------------
  // The state store is probed on every request (readiness depends on it); the bot itself is not its own component.
  const stateCheck = healthChecks(config, { filter: (c) => c.id === 'state' })[0]!;
  const probeState = () => runCheck(stateCheck, runtime, { timeoutMs: PROBE_TIMEOUT_MS });
  // The other components are probed at most every 30 s; /health waits a moment for a fresh probe, else shows the last.
  type Components = ComponentHealth[];
  let components: { at: number; value: Promise<Components> } | undefined;
  let lastComponents: Components | undefined;
  const probeComponents = () => {
    if (!components || Date.now() - components.at > COMPONENTS_TTL_MS) {
      const value = checkHealth(runtime, {
        timeoutMs: PROBE_TIMEOUT_MS,
        filter: (c) => c.id !== 'state' && c.group !== 'bot',
      }).then((all) => (lastComponents = all));
      components = { at: Date.now(), value };
      value.catch(() => (components = undefined));
    }
    const fresh = components.value;
    return within(fresh, COMPONENTS_WAIT_MS).then((done) => (done ? fresh : lastComponents));
  };
  const readiness = async () => {
    const state = await probeState();
    const reasons: string[] = [];
    if (state.status !== 'up') reasons.push(`state store down: ${state.error ?? 'no answer'}`);
    if (telegramEnabled && telegram.status !== 'up')
      reasons.push(`telegram ${telegram.status}${telegram.error ? `: ${telegram.error}` : ''}`);
    return { state, reasons, ready: reasons.length === 0 };
  };
  const health = async (): Promise<HealthReport> => {
    const [ready, parts] = await Promise.all([readiness(), probeComponents().catch(() => lastComponents)]);
    const degraded = parts ? parts.some((c) => c.status === 'down') : false;
    return {
      status: ready.ready ? (degraded ? 'degraded' : 'ok') : 'down',
      ready: ready.ready,
      reasons: ready.reasons,
      version: OPSCTL_VERSION,
      startedAt: startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
      state: ready.state,
      telegram: { ...telegram },
      components: parts ?? [],
      alerts: {
        enabled: alertsEnabled,
        ...(alerts.last ? { lastCheckAt: alerts.last.at, sources: alerts.last.sources } : {}),
      },
      commandsInFlight: dispatcher?.busy ?? 0,
    };
  };

  const server = createHealthServer({
    log,
    health: async () => {
      const report = await health();
      return { ready: report.ready, body: report };
    },
    ready: async () => {
      const r = await readiness();
      return {
        ready: r.ready,
        body: { ready: r.ready, reasons: r.reasons, state: r.state.status, telegram: telegram.status },
      };
    },
    metrics: async () => ({ contentType: metrics.contentType, body: await metrics.render() }),
    ...(dispatcher && bot.mode === 'webhook'
      ? {
          webhook: {
            path: bot.webhook.path,
            secretToken: bot.webhook.secretToken!,
            onUpdate: (update: unknown) => {
              if (stopping) return false;
              dispatcher.handle(update as TelegramUpdate);
              return true;
            },
          },
        }
      : {}),
  });
  const host = options.host ?? bot.host;
  const address = await listen(server, options.port ?? bot.port, host);
  const shownHost =
    host === '0.0.0.0' || host === '::' || host === ''
      ? '127.0.0.1'
      : address.family === 'IPv6'
        ? `[${address.address}]`
        : address.address;
  const url = `http://${shownHost}:${address.port}`;
  const publicUrl = bot.publicUrl?.replace(/\/+$/, '') ?? url;
  log.info('bot: health and metrics server listening', {
    url,
    paths: ['/health', '/health/live', '/health/ready', '/metrics'],
  });
  void probeComponents().catch(() => undefined); // so the first /health has the targets

  // --- registration in the state store (so `opsctl status` finds us) ------------------------------------------------
  const register = async () => {
    try {
      const store = await runtime.state();
      if (instanceId && (await heartbeatBotInstance(store, instanceId))) return;
      await pruneDeadBotInstances(store);
      instanceId = await registerBotInstance(store, {
        healthUrl: publicUrl,
        telegram: telegramEnabled ? bot.mode : 'disabled',
        opsctlVersion: OPSCTL_VERSION,
      });
    } catch (error) {
      log.warn('bot: could not record this bot in the state store', { error: errorMessage(error) });
    }
  };
  await register();
  const heartbeat = setInterval(() => void register(), HEARTBEAT_MS);
  heartbeat.unref();

  // --- Telegram --------------------------------------------------------------------------------------------------
  const telegramLoop = async () => {
    if (!client || !dispatcher) return;
    const signal = pollAbort.signal;
    let backoff = 1_000;
    while (!signal.aborted) {
      try {
        const me = await client.getMe(signal);
        dispatcher.username = me.username;
        telegram.username = me.username;
        markUp();
        await client
          .setCommands(
            BOT_COMMANDS.map((c) => ({ command: c.name, description: c.description })),
            signal,
          )
          .catch((error: unknown) => log.warn('bot: could not set the command menu', { error: errorMessage(error) }));
        if (bot.mode === 'webhook') {
          await client.setWebhook(bot.webhook.url!, bot.webhook.secretToken!, signal);
          markUp();
          log.info('bot: webhook set; Telegram posts updates to it', { url: bot.webhook.url, path: bot.webhook.path });
          return;
        }
        await client.deleteWebhook(signal);
        log.info('bot: polling Telegram for updates', { username: me.username, allowedChats: bot.allowedChats.length });
        for await (const update of client.updates(
          { timeoutSec: bot.pollTimeoutSec, onError: markDown, onPoll: markUp },
          signal,
        )) {
          lastUpdateId = Math.max(lastUpdateId, update.update_id);
          dispatcher.handle(update);
        }
        return;
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof ConfigError) {
          telegram.status = 'down';
          telegram.error = error.message;
          reportFailure(error);
          return;
        }
        markDown(error);
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, 60_000);
      }
    }
  };
  const telegramDone = telegramLoop();

  // --- alerts ----------------------------------------------------------------------------------------------------
  let alertTimer: NodeJS.Timeout | undefined;
  const scheduleAlerts = (delayMs: number) => {
    if (!alertsEnabled || stopping) return;
    alertTimer = setTimeout(() => {
      void alerts.check().finally(() => scheduleAlerts(bot.alerts.intervalSec * 1000));
    }, delayMs);
  };
  scheduleAlerts(telegramEnabled ? 2_000 : 0);

  let stopped: Promise<BotSummary> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      stopping = true;
      pollAbort.abort();
      clearTimeout(alertTimer);
      clearInterval(heartbeat);
      await alerts.settle();
      await telegramDone;
      let cancelledInFlight = 0;
      if (dispatcher?.busy) {
        log.info('bot: stopping; waiting for the commands in flight', {
          count: dispatcher.busy,
          graceSec: bot.shutdownGraceSec,
        });
        if (!(await within(dispatcher.idle(), bot.shutdownGraceSec * 1000))) {
          cancelledInFlight = dispatcher.busy;
          log.warn('bot: grace period over; cancelling the commands still running', { count: cancelledInFlight });
          opsAbort.abort();
          await within(dispatcher.idle(), 5_000);
        }
      }
      if (client && bot.mode === 'polling' && lastUpdateId >= 0) {
        // Confirm the handled updates, so a restart does not get them again.
        await client.confirmOffset(lastUpdateId + 1, AbortSignal.timeout(3_000)).catch(() => undefined);
      }
      if (instanceId) {
        const id = instanceId;
        await runtime
          .state()
          .then((store) => unregisterBotInstance(store, id))
          .catch(() => undefined);
      }
      await closeServer(server);
      const stoppedAt = new Date();
      log.info('bot: stopped', { messagesHandled, alertsSent });
      return {
        url: publicUrl,
        telegram: telegramEnabled ? bot.mode : 'disabled',
        startedAt: startedAt.toISOString(),
        stoppedAt: stoppedAt.toISOString(),
        uptimeMs: stoppedAt.getTime() - startedAt.getTime(),
        messagesHandled,
        alertsSent,
        cancelledInFlight,
      };
    })());

  return { url, port: address.port, dispatcher, alerts, failure, health, stop };
}

/** true when `promise` settles within `ms`; the timer never outlives the race (it would keep the process alive). */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const timer = new AbortController();
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      sleep(ms, timer.signal).then(() => false),
    ]);
  } finally {
    timer.abort();
  }
}
