import { checkHealth, healthChecks, runCheck } from '../health/registry.js';
import type { ComponentHealth, HealthCheck, HealthEnv } from '../health/types.js';
import { OPSCTL_VERSION } from '../version.js';
import type { AlertRound } from './alerts/engine.js';
import type { HealthHandlers } from './http.js';
import type { TelegramLink, TelegramState } from './telegram-loop.js';
import { within } from './within.js';

export interface HealthReport {
  status: 'ok' | 'degraded' | 'down';
  ready: boolean;
  reasons: string[];
  version: string;
  startedAt: string;
  uptimeSeconds: number;
  state: ComponentHealth;
  telegram: TelegramState;
  /** Every other component of the health-check registry (warehouse, targets…), probed at most every 30 s. */
  components: ComponentHealth[];
  alerts: { enabled: boolean; lastCheckAt?: string; sources?: AlertRound['sources'] };
  commandsInFlight: number;
}

/** What /health/ready answers: only what the bot itself needs to work (the state store, and Telegram when used). */
export interface Readiness {
  ready: boolean;
  reasons: string[];
  /** The same reasons without their error texts ("state store down"), for whoever may not see the details. */
  brief: string[];
  state: ComponentHealth;
}

/**
 * /health for whoever may not see the details (no bot.health.details, no bearer token): statuses only. No location,
 * user, host, port, database, file path, version or error text: a network neighbour learns whether it works, not how
 * the platform is laid out.
 */
export interface HealthStatuses {
  status: HealthReport['status'];
  ready: boolean;
  reasons: string[];
  state: { status: ComponentHealth['status'] };
  telegram: { status: TelegramState['status'] };
  components: Array<{ id: string; status: ComponentHealth['status'] }>;
}

export interface BotHealthOptions {
  env: HealthEnv;
  telegram: TelegramLink;
  startedAt: Date;
  /** The alert loop and the dispatcher as they are when /health is asked. */
  now(): Pick<HealthReport, 'alerts' | 'commandsInFlight'>;
}

export interface BotHealth {
  report(): Promise<HealthReport>;
  /** /health and /health/ready for the HTTP server: the document and whether to answer 200 or 503. */
  endpoints: Pick<HealthHandlers, 'health' | 'ready'>;
  /** Starts probing the components now, so the first /health has them. */
  warm(): void;
}

const PROBE_TIMEOUT_MS = 3_000;
const COMPONENTS_TTL_MS = 30_000;
const COMPONENTS_WAIT_MS = 1_000;

/** The state store is the bot's own dependency: probed on every request, since readiness depends on it. */
const isState = (c: HealthCheck) => c.id === 'state';
/** A bot probing the bot group would ask itself (or its siblings) over HTTP: not a dependency of this one. */
const isDependency = (c: HealthCheck) => !isState(c) && c.group !== 'bot';

/** The bot's /health and /health/ready, from the health-check registry. */
export function createBotHealth(options: BotHealthOptions): BotHealth {
  const { env, telegram, startedAt } = options;
  const stateCheck = healthChecks(env.config, { filter: isState })[0]!;
  const components = new ComponentCache(env);

  const readiness = async (): Promise<Readiness> => {
    const state = await runCheck(stateCheck, env, { timeoutMs: PROBE_TIMEOUT_MS });
    const problems: Array<{ brief: string; error?: string | undefined }> = [];
    if (state.status !== 'up') problems.push({ brief: 'state store down', error: state.error ?? 'no answer' });
    const link = telegram.snapshot();
    if (telegram.unready) problems.push({ brief: `telegram ${link.status}`, error: link.error });
    return {
      state,
      reasons: problems.map((p) => (p.error ? `${p.brief}: ${p.error}` : p.brief)),
      brief: problems.map((p) => p.brief),
      ready: problems.length === 0,
    };
  };

  const build = async (): Promise<{ report: HealthReport; brief: string[] }> => {
    const [ready, parts] = await Promise.all([readiness(), components.get()]);
    const degraded = parts.some((c) => c.status === 'down');
    const report: HealthReport = {
      status: ready.ready ? (degraded ? 'degraded' : 'ok') : 'down',
      ready: ready.ready,
      reasons: ready.reasons,
      version: OPSCTL_VERSION,
      startedAt: startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
      state: ready.state,
      telegram: telegram.snapshot(),
      components: parts,
      ...options.now(),
    };
    return { report, brief: ready.brief };
  };

  return {
    report: async () => (await build()).report,
    endpoints: {
      health: async (detailed) => {
        const { report, brief } = await build();
        return { ready: report.ready, body: detailed ? report : statusesOnly(report, brief) };
      },
      ready: async (detailed) => {
        const r = await readiness();
        return {
          ready: r.ready,
          body: {
            ready: r.ready,
            reasons: detailed ? r.reasons : r.brief,
            state: r.state.status,
            telegram: telegram.status,
          },
        };
      },
    },
    warm: () => void components.get().catch(() => undefined),
  };
}

/** The report cut down to statuses, with the reasons' error texts left out (`brief`). */
export function statusesOnly(report: HealthReport, brief: string[]): HealthStatuses {
  return {
    status: report.status,
    ready: report.ready,
    reasons: brief,
    state: { status: report.state.status },
    telegram: { status: report.telegram.status },
    components: report.components.map((c) => ({ id: c.id, status: c.status })),
  };
}

/**
 * The registry's other components, probed at most every 30 s (a scrape of /health every few seconds must not
 * reconnect to the warehouse and every target each time). A request waits up to 1 s for a probe under way, and
 * otherwise answers with the last result.
 */
class ComponentCache {
  private probe: { at: number; value: Promise<ComponentHealth[]> } | undefined;
  private last: ComponentHealth[] = [];

  constructor(private readonly env: HealthEnv) {}

  async get(): Promise<ComponentHealth[]> {
    if (!this.probe || Date.now() - this.probe.at > COMPONENTS_TTL_MS) {
      const value = checkHealth(this.env, { timeoutMs: PROBE_TIMEOUT_MS, filter: isDependency }).then(
        (all) => (this.last = all),
      );
      this.probe = { at: Date.now(), value };
      value.catch(() => (this.probe = undefined));
    }
    const fresh = this.probe.value;
    return (await within(fresh, COMPONENTS_WAIT_MS)) ? fresh.catch(() => this.last) : this.last;
  }
}
