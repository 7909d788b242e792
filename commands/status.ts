import { z } from 'zod';
import { probeTarget } from '../src/db/probe.js';
import { isOpsError } from '../src/errors.js';
import { redactUrlPasswords } from '../src/log/redact.js';
import type { ComponentHealth } from '../src/util/health.js';
import { withTimeout } from '../src/util/timeout.js';
import { OPSCTL_VERSION } from '../src/version.js';
import { probeWarehouse } from '../src/warehouse/probe.js';
import { defineOperation, type OperationContext } from './operation.js';

export interface StatusResult {
  opsctlVersion: string;
  environment: string;
  configFile: string | null;
  home: string;
  state: ComponentHealth;
  warehouse: ComponentHealth;
  targets: ComponentHealth[];
  checkedAt: string;
}

/** The Overview: config source, state store, warehouse and every database target with live connectivity. */
export const status = defineOperation({
  name: 'status',
  summary: 'Check the state store, the warehouse and every database target',
  input: z.object({
    timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
    /** Only these targets (default: all). */
    targets: z.array(z.string()).optional(),
  }),
  async run(ctx, input): Promise<StatusResult> {
    const { config } = ctx;
    const names = Object.keys(config.targets).filter((n) => !input.targets || input.targets.includes(n));
    ctx.progress({ phase: 'probing', done: 0, total: names.length + 2 });
    let done = 0;
    const tick = <T>(p: Promise<T>) =>
      p.finally(() => ctx.progress({ phase: 'probing', done: ++done, total: names.length + 2 }));
    const [state, warehouse, ...targets] = await Promise.all([
      tick(probeState(ctx, input.timeoutMs)),
      tick(probeWarehouse(config, { timeoutMs: input.timeoutMs })),
      ...names.map((name) => tick(probeTarget(name, config.targets[name]!, { timeoutMs: input.timeoutMs }))),
    ]);
    return {
      opsctlVersion: OPSCTL_VERSION,
      environment: config.environment,
      configFile: ctx.loaded.configFile ?? null,
      home: config.home,
      state: state!,
      warehouse: warehouse!,
      targets,
      checkedAt: new Date().toISOString(),
    };
  },
});

async function probeState(ctx: OperationContext, timeoutMs: number): Promise<ComponentHealth> {
  const url = ctx.config.state.url;
  const kind = url.startsWith('sqlite:') ? 'sqlite' : 'postgres';
  const started = performance.now();
  try {
    const store = await withTimeout(timeoutMs, 'state store', () => ctx.state());
    const version = await store.serverVersion();
    return { name: 'state', kind, location: store.location, status: 'up', version, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      name: 'state',
      kind,
      location: kind === 'sqlite' ? url.slice('sqlite:'.length) : redactUrlPasswords(url),
      status: 'down',
      error: (error as Error).message,
      ...(isOpsError(error) && error.hint ? { hint: error.hint } : {}),
    };
  }
}
