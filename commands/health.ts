import { z } from 'zod';
import { parseDuration } from '../src/config/sections/common.js';
import { NotFoundError } from '../src/errors.js';
import { serviceReport } from '../src/health/checks/services.js';
import { targetCrossings } from '../src/health/checks/targets.js';
import { checkHealth } from '../src/health/registry.js';
import type { ComponentHealth } from '../src/health/types.js';
import { sleep } from '../src/util/sleep.js';
import { defineOperation, type OperationContext } from './operation.js';

/** A threshold crossed by one component (a service's p95, a target's connections). */
export interface CrossedThreshold {
  component: string;
  key: string;
  text: string;
}

export interface HealthRound {
  round: number;
  checkedAt: string;
  durationMs: number;
  /** Services and targets, in the registry's order; a service's report is in `details.service`. */
  components: ComponentHealth[];
  down: string[];
  crossed: CrossedThreshold[];
  /** No component down and no threshold crossed. */
  ok: boolean;
}

export interface HealthResult extends HealthRound {
  rounds: number;
}

const input = z.object({
  /** Only these services (default: all). */
  services: z.array(z.string()).optional(),
  /** Only these targets (default: all). */
  targets: z.array(z.string()).optional(),
  /** Bound on each component's whole probe (a service's own timeout bounds each of its requests). */
  timeoutMs: z.number().int().min(100).max(120_000).default(15_000),
  /** How many rounds (0: until cancelled, `--watch`). */
  rounds: z.number().int().min(0).default(1),
  /** Time between rounds (default: the shortest service interval, else 15 s). */
  intervalMs: z.number().int().min(100).optional(),
});

/**
 * The post-deployment watch: every service's health endpoints and metrics (request rate, error rate, p50/p95/p99, CPU,
 * memory, watched metrics) against its thresholds, and every database target. Several rounds (`--watch`) compare each
 * scrape with the previous round's; each round is streamed as a progress item.
 */
export const health = defineOperation({
  name: 'health',
  summary: 'Check every service (health endpoints, metrics, thresholds) and every database target',
  input,
  async run(ctx, input): Promise<HealthResult> {
    checkNames(ctx, 'services', input.services);
    checkNames(ctx, 'targets', input.targets);
    const intervalMs =
      input.intervalMs ??
      Math.min(15_000, ...Object.values(ctx.config.services).map((s) => parseDuration(s.interval) ?? 15_000));
    let last: HealthRound | undefined;
    for (let round = 1; input.rounds === 0 || round <= input.rounds; round++) {
      if (round > 1) {
        try {
          await sleep(intervalMs, ctx.signal);
        } catch (error) {
          if (last) break; // --watch ends with Ctrl-C: the last round is the result.
          throw error;
        }
      }
      last = await healthRound(ctx, input, round);
      if (ctx.signal.aborted) break;
      ctx.progress({ phase: 'round', done: round, note: last.ok ? 'ok' : 'not ok', item: last });
    }
    return { ...last!, rounds: last!.round };
  },
});

function checkNames(ctx: OperationContext, section: 'services' | 'targets', wanted: string[] | undefined) {
  const known = Object.keys(ctx.config[section]);
  const unknown = (wanted ?? []).filter((n) => !known.includes(n));
  if (unknown.length) {
    throw new NotFoundError(`no ${section}.${unknown[0]} in the config`, {
      hint: known.length ? `Configured ${section}: ${known.join(', ')}.` : `Add ${section} to opsctl.config.json.`,
    });
  }
}

/** One round: services and targets probed at once, each with its own timeout. */
export async function healthRound(
  ctx: OperationContext,
  input: { services?: string[] | undefined; targets?: string[] | undefined; timeoutMs: number },
  round = 1,
): Promise<HealthRound> {
  const started = performance.now();
  const components = await checkHealth(ctx, {
    timeoutMs: input.timeoutMs,
    signal: ctx.signal,
    filter: (c) =>
      (c.group === 'service' && (!input.services || input.services.includes(c.name))) ||
      (c.group === 'target' && (!input.targets || input.targets.includes(c.name))),
  });
  const crossed: CrossedThreshold[] = [];
  for (const c of components) {
    for (const x of [...(serviceReport(c)?.crossed ?? []), ...targetCrossings(c)])
      crossed.push({ component: c.label, key: x.key, text: x.text });
  }
  const down = components.filter((c) => c.status === 'down').map((c) => c.label);
  return {
    round,
    checkedAt: new Date().toISOString(),
    durationMs: Math.round(performance.now() - started),
    components,
    down,
    crossed,
    ok: down.length === 0 && crossed.length === 0,
  };
}
