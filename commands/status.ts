import { z } from 'zod';
import { findBot, type BotComponent } from '../src/bot/probe.js';
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
  /** The on-call bot registered in the state store, checked through its health endpoint (`absent` when none runs). */
  bot?: BotComponent;
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
    const total = names.length + 3;
    ctx.progress({ phase: 'probing', done: 0, total });
    let done = 0;
    const tick = <T>(p: Promise<T>) => p.finally(() => ctx.progress({ phase: 'probing', done: ++done, total }));
    const [[state, warehouse, ...targets], bot] = await Promise.all([
      Promise.all([
        tick(probeState(ctx, input.timeoutMs)),
        tick(probeWarehouse(config, { timeoutMs: input.timeoutMs })),
        ...names.map((name) => tick(probeTarget(name, config.targets[name]!, { timeoutMs: input.timeoutMs }))),
      ]),
      tick(probeBot(ctx, input.timeoutMs)),
    ]);
    return {
      opsctlVersion: OPSCTL_VERSION,
      environment: config.environment,
      configFile: ctx.loaded.configFile ?? null,
      home: config.home,
      state: state!,
      warehouse: warehouse!,
      targets,
      bot,
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

async function probeBot(ctx: OperationContext, timeoutMs: number): Promise<BotComponent> {
  try {
    const store = await withTimeout(timeoutMs, 'state store', () => ctx.state());
    return await findBot(store, { timeoutMs: Math.min(timeoutMs, 3_000) });
  } catch (error) {
    return {
      name: 'bot',
      kind: 'bot',
      location: 'unknown',
      status: 'unchecked',
      running: false,
      error: `cannot tell whether a bot runs: ${(error as Error).message}`,
      hint: 'Running bots register in the state store; fix the state store first.',
    };
  }
}
