import type { Config } from '../config/load.js';
import { BusyError, errorMessage, isOpsError } from '../errors.js';
import { withTimeout } from '../util/timeout.js';
import { botHealthChecks } from './checks/bot.js';
import { stateHealthChecks } from './checks/state.js';
import { targetHealthChecks } from './checks/targets.js';
import { warehouseHealthChecks } from './checks/warehouse.js';
import type { ComponentHealth, HealthCheck, HealthEnv, HealthProvider } from './types.js';

/**
 * The health-check registry: every component opsctl watches, in the order faces list them. `opsctl status`, the
 * console's Overview, the bot's /health and /status and validate's connectivity group all render what this returns.
 * A new kind of component is one provider module and one line here.
 */
export const HEALTH_PROVIDERS: readonly HealthProvider[] = [
  stateHealthChecks,
  warehouseHealthChecks,
  targetHealthChecks,
  botHealthChecks,
];

export interface HealthSelection {
  /** Only the components these predicates keep (e.g. named targets, or everything but the bot). */
  filter?: (check: HealthCheck) => boolean;
}

export function healthChecks(config: Config, selection: HealthSelection = {}): HealthCheck[] {
  const all = HEALTH_PROVIDERS.flatMap((provider) => provider(config));
  return selection.filter ? all.filter(selection.filter) : all;
}

export interface CheckHealthOptions extends HealthSelection {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called as each component's probe ends, with how many have. */
  onResult?: (component: ComponentHealth, done: number, total: number) => void;
}

/** Probes every selected component at once, each bounded by `timeoutMs`; never throws, order is the registry's. */
export async function checkHealth(env: HealthEnv, options: CheckHealthOptions = {}): Promise<ComponentHealth[]> {
  const checks = healthChecks(env.config, options);
  let done = 0;
  return Promise.all(
    checks.map(async (check) => {
      const component = await runCheck(check, env, options);
      options.onResult?.(component, ++done, checks.length);
      return component;
    }),
  );
}

/** One probe with the registry's skeleton: absent short-cut, timing, timeout, and errors turned into a status. */
export async function runCheck(
  check: HealthCheck,
  env: HealthEnv,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ComponentHealth> {
  const base = {
    id: check.id,
    name: check.name,
    label: check.label,
    group: check.group,
    kind: check.kind,
    location: check.location,
  };
  const absent = check.absent?.();
  if (absent) return { ...base, status: 'absent', hint: absent.hint };
  const timeoutMs = options.timeoutMs ?? 5_000;
  const started = performance.now();
  try {
    const found = await withTimeout(timeoutMs, check.label, () =>
      check.probe(env, { timeoutMs, ...(options.signal ? { signal: options.signal } : {}) }),
    );
    const { status = 'up', latencyMs = Math.round(performance.now() - started), ...rest } = found;
    return { ...base, ...rest, status, latencyMs };
  } catch (error) {
    const hint = isOpsError(error) && error.hint ? error.hint : check.hint;
    return {
      ...base,
      status: error instanceof BusyError ? 'busy' : 'down',
      error: errorMessage(error),
      ...(hint ? { hint } : {}),
    };
  }
}

/** Components that count as a failure: `down` only (`busy`, `absent` and `unchecked` are not failures). */
export function downComponents(components: readonly ComponentHealth[]): ComponentHealth[] {
  return components.filter((c) => c.status === 'down');
}
