import { hostname } from 'node:os';
import { errorMessage } from '../../errors.js';
import { listBotInstances, type BotInstance } from '../../state/bot.js';
import type { SqlRunner } from '../../state/store.js';
import type { ComponentHealth, HealthProvider, ProbeFinding } from '../types.js';
import { tracedFetch } from '../../log/trace.js';

/**
 * Is a bot running, and is it healthy? Running bots record themselves (and where their health endpoint answers) in
 * the state store; this reads that record and asks the endpoint. Free of the Telegram and Prometheus libraries.
 */
export type BotDetails = {
  /** A bot process is registered and not provably gone. */
  running: boolean;
  host?: string;
  pid?: number;
  startedAt?: string;
  /** Telegram connection as the bot reports it: up, down, starting, disabled. */
  telegram?: string;
  /** The bot's /health document, when it answered. */
  report?: Record<string, unknown>;
};

export type BotComponent = ComponentHealth & { details: BotDetails };

/** A heartbeat older than this (the bot beats every 15 s) means the bot on another host is gone. */
export const BOT_STALE_AFTER_MS = 60_000;

const BOT_BASE = { id: 'bot', name: 'bot', label: 'on-call bot', group: 'bot' } as const;

/** The bot registered in the state store; `absent` (not a failure) when none runs. */
export const botHealthChecks: HealthProvider = () => [
  {
    ...BOT_BASE,
    kind: 'bot',
    location: 'state store registry',
    hint: 'Running bots register in the state store; fix the state store first.',
    async probe(env, { timeoutMs }): Promise<ProbeFinding> {
      const {
        id: _id,
        name: _name,
        label: _label,
        group: _group,
        ...finding
      } = await findBot(await env.state(), {
        timeoutMs: Math.min(timeoutMs, 3_000),
        token: env.config.bot.health.token,
      });
      return finding;
    },
  },
];

export interface ProbeResult {
  reachable: boolean;
  httpStatus?: number;
  report?: Record<string, unknown>;
  latencyMs?: number;
  error?: string;
}

/**
 * GET <url>/health with a timeout, and with bot.health.token as a bearer token when there is one (without it the bot
 * answers statuses only: no version, no error texts).
 */
export async function fetchBotHealth(url: string, timeoutMs: number, token?: string): Promise<ProbeResult> {
  const started = performance.now();
  try {
    const res = await tracedFetch(new URL('/health', url), {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
    const text = await res.text();
    let report: Record<string, unknown> | undefined;
    try {
      report = JSON.parse(text) as Record<string, unknown>;
    } catch {
      /* not JSON: something else answers there */
    }
    return {
      reachable: true,
      httpStatus: res.status,
      ...(report ? { report } : {}),
      latencyMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return {
      reachable: false,
      error:
        (error as Error).name === 'TimeoutError'
          ? `no answer within ${timeoutMs} ms`
          : cause === 'ECONNREFUSED'
            ? 'connection refused'
            : errorMessage(error),
    };
  }
}

/** The health of the bot at `url` as a component of the Overview. */
export async function probeBotAt(
  url: string,
  timeoutMs: number,
  instance?: BotInstance,
  token?: string,
): Promise<BotComponent> {
  const details: BotDetails = {
    running: true,
    ...(instance ? { host: instance.host, pid: instance.pid, startedAt: instance.startedAt } : {}),
  };
  const base: BotComponent = {
    ...BOT_BASE,
    kind: instance ? botKind(instance) : 'bot',
    location: url,
    status: 'down',
    details,
  };
  const probe = await fetchBotHealth(url, timeoutMs, token);
  if (!probe.reachable) {
    return {
      ...base,
      error: `the bot's health endpoint ${url}/health does not answer: ${probe.error}`,
      hint: 'Check the bot process (systemctl status opsctl-bot) and its logs.',
    };
  }
  const report = probe.report ?? {};
  const telegram = (report.telegram as { status?: string } | undefined)?.status;
  // Without the bearer token /health answers statuses only; the version the bot registered then stands in.
  const reported = typeof report.version === 'string' ? report.version : instance?.opsctlVersion;
  const version = reported ? `opsctl ${reported}` : undefined;
  const healthy = probe.httpStatus === 200;
  const reasons = Array.isArray(report.reasons) ? (report.reasons as string[]).join('; ') : undefined;
  return {
    ...base,
    status: healthy ? 'up' : 'down',
    ...(version ? { version } : {}),
    ...(probe.latencyMs !== undefined ? { latencyMs: probe.latencyMs } : {}),
    details: { ...details, ...(telegram ? { telegram } : {}), report },
    ...(healthy
      ? {}
      : {
          error: `the bot is not ready (HTTP ${probe.httpStatus})${reasons ? `: ${reasons}` : ''}`,
          hint: "See the bot's /health for which dependency is down.",
        }),
  };
}

/** Finds the newest registered bot that is not provably gone and probes it; `absent` when there is none. */
export async function findBot(
  store: SqlRunner,
  options: { timeoutMs: number; now?: number; token?: string | undefined },
): Promise<BotComponent> {
  const now = options.now ?? Date.now();
  const instances = await listBotInstances(store);
  const live = instances.filter(
    (i) => i.alive === true || (i.alive === undefined && now - Date.parse(i.heartbeatAt) < BOT_STALE_AFTER_MS),
  );
  const instance = live[0];
  if (!instance) {
    const last = instances[0];
    return {
      ...BOT_BASE,
      kind: 'bot',
      location: last ? last.healthUrl : 'not running',
      status: 'absent',
      details: { running: false },
      hint: last
        ? `The last bot registered (pid ${last.pid} on ${last.host}) is gone; start one with \`opsctl bot start\`.`
        : 'No bot is running against this state store; start one with `opsctl bot start`.',
    };
  }
  if (instance.host !== hostname() && /^https?:\/\/(127\.|localhost|\[::1\])/.test(instance.healthUrl)) {
    return {
      ...BOT_BASE,
      kind: botKind(instance),
      location: instance.healthUrl,
      status: 'unchecked',
      details: { running: true, host: instance.host, pid: instance.pid, startedAt: instance.startedAt },
      hint: `The bot runs on ${instance.host} and announced only a loopback address; set bot.publicUrl there so other hosts can check it.`,
    };
  }
  return probeBotAt(instance.healthUrl, options.timeoutMs, instance, options.token);
}

/** `telegram` for a bot that talks to Telegram, `metrics` for one serving only health and metrics. */
function botKind(instance: BotInstance): string {
  return instance.telegram === 'disabled' ? 'metrics' : 'telegram';
}
