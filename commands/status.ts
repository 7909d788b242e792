import { z } from 'zod';
import { checkHealth } from '../src/health/registry.js';
import type { ComponentHealth } from '../src/health/types.js';
import { OPSCTL_VERSION } from '../src/version.js';
import { defineOperation } from './operation.js';

export interface StatusResult {
  opsctlVersion: string;
  environment: string;
  configFile: string | null;
  home: string;
  /** Every component of the health-check registry, in its order: state store, warehouse, targets, the bot… */
  components: ComponentHealth[];
  checkedAt: string;
}

/** The Overview: config source and every component of the health-check registry with live connectivity. */
export const status = defineOperation({
  name: 'status',
  summary: 'Check the state store, the warehouse, every database target and the bot',
  input: z.object({
    timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
    /** Only these targets (default: all). */
    targets: z.array(z.string()).optional(),
    /** Open embedded PGlite targets (boot PostgreSQL in WASM) instead of checking their files. */
    deep: z.boolean().default(false),
    /** Reuse this process's answers up to this old (the console's refresh); 0 probes everything again. */
    maxAgeMs: z.number().int().min(0).max(3_600_000).default(0),
  }),
  async run(ctx, input): Promise<StatusResult> {
    const wanted = input.targets;
    ctx.progress({ phase: 'probing', done: 0 });
    const components = await checkHealth(ctx, {
      timeoutMs: input.timeoutMs,
      signal: ctx.signal,
      deep: input.deep,
      maxAgeMs: input.maxAgeMs,
      ...(wanted ? { filter: (check) => check.group !== 'target' || wanted.includes(check.name) } : {}),
      onResult: (_c, done, total) => ctx.progress({ phase: 'probing', done, total }),
    });
    return {
      opsctlVersion: OPSCTL_VERSION,
      environment: ctx.config.environment,
      configFile: ctx.loaded.configFile ?? null,
      home: ctx.config.home,
      components,
      checkedAt: new Date().toISOString(),
    };
  },
});
