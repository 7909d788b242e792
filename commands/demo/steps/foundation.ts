import { openTarget } from '../../../src/db/target.js';
import { plural } from '../../../src/format.js';
import { countRuns } from '../../../src/state/runs.js';
import { openWarehouse } from '../../../src/warehouse/warehouse.js';
import { invoke } from '../../operation.js';
import { status } from '../../status.js';
import type { DemoStep } from '../step.js';

export const stateStep: DemoStep = {
  name: 'state store',
  async run(ctx) {
    const store = await ctx.state();
    return `${await store.serverVersion()} at ${store.location} (${plural(await countRuns(store), 'run')} recorded)`;
  },
};

export const warehouseStep: DemoStep = {
  name: 'warehouse',
  configure(ws) {
    ws.warehouse = { kind: 'duckdb' };
  },
  async run(ctx) {
    const warehouse = await openWarehouse(ctx.config);
    try {
      return `${await warehouse.version()} at ${warehouse.location}`;
    } finally {
      await warehouse.close();
    }
  },
};

export const localTargetStep: DemoStep = {
  name: 'database target "local"',
  configure(ws) {
    ws.targets = {
      ...(ws.targets as object | undefined),
      local: { engine: 'pglite', description: 'embedded demo database (PGlite)' },
    };
  },
  async run(ctx) {
    const target = await openTarget('local', ctx.config.targets.local!, { signal: ctx.signal });
    try {
      return `${await target.serverVersion()} at ${target.location}`;
    } finally {
      await target.close();
    }
  },
};

export const overviewStep: DemoStep = {
  name: 'overview',
  async run(ctx) {
    // PGlite can take several seconds to open its data directory on a busy machine; the demo waits for it rather than
    // report it down at status's operator-facing 5 s.
    const result = await invoke(status, ctx, { timeoutMs: 30_000 });
    const all = result.components.filter((c) => c.group !== 'bot');
    const up = all.filter((c) => c.status === 'up').length;
    const down = all.filter((c) => c.status === 'down');
    if (down.length) throw new Error(`${down.map((c) => c.name).join(', ')} down: ${down[0]!.error}`);
    return `${up} of ${all.length} components up`;
  },
};
