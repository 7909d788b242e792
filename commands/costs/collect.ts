import { existsSync } from 'node:fs';
import { buildReport, type CostReport } from '../../src/costs/report.js';
import { readBigqueryUsage } from '../../src/costs/sources/bigquery.js';
import { readDuckdbStorage } from '../../src/costs/sources/duckdb.js';
import { listSnapshots, meteredUsage, saveSnapshot, type CostSnapshot } from '../../src/costs/store.js';
import { monthWindow, windowStart } from '../../src/costs/month.js';
import { createBigqueryClient } from '../../src/warehouse/bigquery-client.js';
import { describeWarehouse } from '../../src/warehouse/warehouse.js';
import type { OperationContext } from '../operation.js';

export interface CostReportWithTrend extends CostReport {
  /** Daily snapshots kept in the state store (they outlive INFORMATION_SCHEMA's retention). */
  trend: CostSnapshot[];
  snapshot: CostSnapshot;
}

/** Reads usage from the configured warehouse, prices it, stores today's snapshot and returns the report with its trend. */
export async function collectReport(
  ctx: OperationContext,
  options: { days: number; now: Date },
): Promise<CostReportWithTrend> {
  const { config } = ctx;
  const { now, days } = options;
  const month = monthWindow(now);
  const shownSince = windowStart(now, days);
  const since = shownSince < month.start ? shownSince : month.start;
  const store = await ctx.state();
  const location = describeWarehouse(config);
  let report: CostReport;
  ctx.progress({ phase: 'reading usage', note: location });
  if (config.warehouse.kind === 'bigquery') {
    const client = createBigqueryClient(config.warehouse.bigquery);
    const raw = await readBigqueryUsage(client, config, since, shownSince);
    report = buildReport(raw, { costs: config.costs, now, days, warehouse: 'bigquery', location });
  } else {
    const notes = [
      "DuckDB bills nothing: figures are what the same storage and opsctl's own reads would cost on BigQuery at the configured prices.",
    ];
    const path = config.warehouse.duckdb.path;
    let storage: Awaited<ReturnType<typeof readDuckdbStorage>> = [];
    if (existsSync(path)) {
      const { openDuckdbWarehouse } = await import('../../src/warehouse/duckdb.js');
      const warehouse = await openDuckdbWarehouse(path);
      try {
        storage = await readDuckdbStorage(warehouse);
      } finally {
        await warehouse.close();
      }
    } else notes.push(`no warehouse file yet at ${path}: run a pipeline first.`);
    const jobs = await meteredUsage(store, 'duckdb', since, shownSince);
    report = buildReport(
      { storage, ...jobs },
      { costs: config.costs, now, days, warehouse: 'duckdb', location, notes },
    );
  }
  ctx.progress({ phase: 'saving snapshot' });
  const snapshot = await saveSnapshot(store, report);
  const trend = await listSnapshots(store, report.warehouse, windowStart(now, Math.max(days, 90)));
  return { ...report, trend, snapshot };
}

/** `asOf` lets a report be computed for another moment (tests, and re-reading a past month-end). */
export function reportTime(asOf: string | undefined): Date {
  return asOf ? new Date(asOf) : new Date();
}
