import { advanceSql, PULSO_TABLES, seedSql } from '../../../src/pipelines/sync/sample.js';
import { openWarehouse } from '../../../src/warehouse/warehouse.js';
import { invoke } from '../../operation.js';
import type { OperationContext } from '../../operation.js';
import { syncRun, type SyncRunResult } from '../../sync/run.js';
import { syncSetup } from '../../sync/setup.js';
import type { DemoStep } from '../step.js';

async function onWarehouse(ctx: OperationContext, statements: string[]): Promise<void> {
  const warehouse = await openWarehouse(ctx.config);
  try {
    if (warehouse.kind !== 'duckdb') throw new Error('the demo sync needs the embedded DuckDB warehouse');
    for (const sql of statements) await warehouse.query(sql);
  } finally {
    await warehouse.close();
  }
}

const totals = (r: SyncRunResult) => {
  const tables = r.pipelines.flatMap((p) => p.tables);
  return {
    inserted: tables.reduce((n, t) => n + (t.details?.inserted ?? 0), 0),
    updated: tables.reduce((n, t) => n + (t.details?.updated ?? 0), 0),
    read: tables.reduce((n, t) => n + t.extracted, 0),
  };
};

/**
 * The seeds' five dashboard tables synced from the demo DuckDB warehouse into PGlite: a full first load, then the
 * source changes (late rows, corrections) and an incremental run picks them up; one more change is left waiting so
 * `opsctl sync run` has something to do.
 */
export const syncStep: DemoStep = {
  name: 'sync',
  configure(ws) {
    ws.pipelines = {
      ...(ws.pipelines as object | undefined),
      pulso: { kind: 'sync', target: 'local', tables: PULSO_TABLES },
    };
  },
  async run(ctx) {
    const today = new Date().toISOString().slice(0, 10);
    await onWarehouse(ctx, seedSql(today));
    await invoke(syncSetup, ctx, {});
    const first = totals(await invoke(syncRun, ctx, { force: true }));
    await onWarehouse(ctx, advanceSql(today, 1));
    const second = totals(await invoke(syncRun, ctx, {}));
    await onWarehouse(ctx, advanceSql(today, 2));
    return (
      `5 tables into PGlite: ${first.inserted} rows loaded, then ${second.inserted} late rows and ${second.updated} corrections picked up ` +
      `from ${second.read} rows in the lookback windows; more changes are waiting (opsctl sync run, opsctl watermarks list)`
    );
  },
};
