import { existsSync } from 'node:fs';
import { describeWarehouse, openWarehouse } from '../../warehouse/warehouse.js';
import type { HealthProvider } from '../types.js';

/** The warehouse the pipelines load into and the sync reads from (DuckDB file or BigQuery). */
export const warehouseHealthChecks: HealthProvider = (config) => [
  {
    id: 'warehouse',
    name: 'warehouse',
    label: 'warehouse',
    group: 'core',
    kind: config.warehouse.kind,
    location: describeWarehouse(config).replace(/^\S+ /, ''),
    hint: 'Check the warehouse settings with `opsctl config show`.',
    absent: () =>
      config.warehouse.kind === 'duckdb' && !existsSync(config.warehouse.duckdb.path)
        ? { hint: 'Created by the first pipeline run (opsctl demo, opsctl etl run).' }
        : undefined,
    async probe() {
      const warehouse = await openWarehouse(config);
      try {
        return { version: await warehouse.version() };
      } finally {
        await warehouse.close();
      }
    },
  },
];
