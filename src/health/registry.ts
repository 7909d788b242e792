import type { Config } from '../config/load.js';
import { BusyError, errorMessage, isOpsError } from '../errors.js';
import { withTimeout } from '../util/timeout.js';
import { botHealthChecks } from './checks/bot.js';
import { serviceHealthChecks } from './checks/services.js';
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
  serviceHealthChecks,
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
  /** Open embedded components instead of checking them from outside (see ProbeOptions.deep). */
  deep?: boolean;
  /**
   * Reuse this process's answer for a component when it is at most this old (default 0: probe every time). A probe
   * already under way is shared rather than started twice. Answers keep their own `checkedAt`.
   */
  maxAgeMs?: number;
  /** Called as each component's probe ends, with how many have. */
  onResult?: (component: ComponentHealth, done: number, total: number) => void;
}

/** This process's last answer per component and probe depth: `checkHealth`'s `maxAgeMs` reads it. */
const cache = new Map<string, { at: number; value: Promise<ComponentHealth> }>();

/** Forgets every cached answer (after an operation that changed what a probe would find: a migration, a restore). */
export function invalidateHealth(): void {
  cache.clear();
}

/** Probes every selected component at once, each bounded by `timeoutMs`; never throws, order is the registry's. */
export async function checkHealth(env: HealthEnv, options: CheckHealthOptions = {}): Promise<ComponentHealth[]> {
  const checks = healthChecks(env.config, options);
  const maxAgeMs = options.maxAgeMs ?? 0;
  let done = 0;
  return Promise.all(
    checks.map(async (check) => {
      const key = `${check.id}\u0000${check.location}\u0000${options.deep ? 'deep' : ''}`;
      const hit = cache.get(key);
      let pending: Promise<ComponentHealth>;
      if (maxAgeMs > 0 && hit && Date.now() - hit.at <= maxAgeMs) pending = hit.value;
      else {
        pending = runCheck(check, env, options);
        cache.set(key, { at: Date.now(), value: pending });
      }
      const component = await pending;
      options.onResult?.(component, ++done, checks.length);
      return component;
    }),
  );
}

/** One probe with the registry's skeleton: absent short-cut, timing, timeout, and errors turned into a status. */
export async function runCheck(
  check: HealthCheck,
  env: HealthEnv,
  options: { timeoutMs?: number; signal?: AbortSignal; deep?: boolean } = {},
): Promise<ComponentHealth> {
  const base = {
    id: check.id,
    name: check.name,
    label: check.label,
    group: check.group,
    kind: check.kind,
    location: check.location,
  };
  const checkedAt = new Date().toISOString();
  const absent = check.absent?.();
  if (absent) return { ...base, status: 'absent', hint: absent.hint, checkedAt };
  const timeoutMs = options.timeoutMs ?? 5_000;
  const started = performance.now();
  try {
    const found = await withTimeout(timeoutMs, check.label, () =>
      check.probe(env, {
        timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.deep ? { deep: true } : {}),
      }),
    );
    const { status = 'up', latencyMs = Math.round(performance.now() - started), ...rest } = found;
    return { ...base, ...rest, status, latencyMs, checkedAt };
  } catch (error) {
    const hint = isOpsError(error) && error.hint ? error.hint : check.hint;
    return {
      ...base,
      status: error instanceof BusyError ? 'busy' : 'down',
      error: errorMessage(error),
      ...(hint ? { hint } : {}),
      checkedAt,
    };
  }
}

/** Components that count as a failure: `down` only (`busy`, `absent` and `unchecked` are not failures). */
export function downComponents(components: readonly ComponentHealth[]): ComponentHealth[] {
  return components.filter((c) => c.status === 'down');
}
