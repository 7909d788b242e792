import { bytes, plural, usd } from '../../../src/format.js';
import { invoke } from '../../operation.js';
import { costsReport } from '../../costs/report.js';
import type { DemoStep } from '../step.js';

/** The cost report on the embedded DuckDB warehouse: its tables and opsctl's own reads, priced at BigQuery's rates. */
export const costsStep: DemoStep = {
  name: 'costs',
  configure(ws) {
    ws.costs = { budgetUsd: 1, levels: [50, 90, 100] };
  },
  async run(ctx) {
    const r = await invoke(costsReport, ctx, { days: 30 });
    const storage = r.storage.activeBytes + r.storage.longTermBytes;
    return (
      `${plural(r.storage.tables.length, 'table')}, ${bytes(storage)} as BigQuery would store them; ` +
      `opsctl read ${bytes(r.opsctl.bytesBilled)} this window; projected ${usd(r.projection.totalUsd)} of ${usd(r.budget.usd)} (opsctl costs)`
    );
  },
};
