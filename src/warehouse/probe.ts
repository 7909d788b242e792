import { existsSync } from 'node:fs';
import type { Config } from '../config/load.js';
import { isOpsError } from '../errors.js';
import type { ComponentHealth } from '../util/health.js';
import { withTimeout } from '../util/timeout.js';
import { describeWarehouse, openWarehouse } from './warehouse.js';

export async function probeWarehouse(config: Config, options: { timeoutMs?: number } = {}): Promise<ComponentHealth> {
  const base = { name: 'warehouse', kind: config.warehouse.kind, location: describeWarehouse(config).replace(/^\S+ /, '') };
  if (config.warehouse.kind === 'duckdb' && !existsSync(config.warehouse.duckdb.path)) {
    return { ...base, status: 'absent', hint: 'Created by the first pipeline run (opsctl demo, opsctl etl run).' };
  }
  const started = performance.now();
  try {
    const version = await withTimeout(options.timeoutMs ?? 5_000, 'warehouse', async () => {
      const warehouse = await openWarehouse(config);
      try {
        return await warehouse.version();
      } finally {
        await warehouse.close();
      }
    });
    return { ...base, status: 'up', version, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    const message = (error as Error).message;
    return {
      ...base,
      status: /in use by pid/.test(message) ? 'busy' : 'down',
      error: message,
      ...(isOpsError(error) && error.hint ? { hint: error.hint } : {}),
    };
  }
}
