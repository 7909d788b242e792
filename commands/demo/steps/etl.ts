import { OperationFailed } from '../../../src/errors.js';
import { count, plural } from '../../../src/format.js';
import { etlRun } from '../../etl/run.js';
import { invoke } from '../../operation.js';
import type { DemoStep } from '../step.js';

/** The Spotify pipeline on the seeded sample source (chosen explicitly), loaded into the embedded DuckDB warehouse. */
export const etlStep: DemoStep = {
  name: 'etl',
  configure(ws) {
    const pipelines = (ws.pipelines ?? {}) as Record<string, unknown>;
    ws.pipelines = { ...pipelines, spotify: { kind: 'spotify', source: 'sample' } };
  },
  async run(ctx) {
    const r = await invoke(etlRun, ctx, { pipelines: ['spotify'] });
    const e = r.executions[0];
    if (!r.ok || !e?.run)
      throw new OperationFailed(r.failures.join('; ') || 'the spotify pipeline did not run', {
        hint: 'See opsctl etl history and opsctl etl show RUN.',
      });
    const tables = e.outcome?.tables ?? [];
    const loadedTables = tables.filter((t) => t.status === 'ok').length;
    const unavailable = tables.filter((t) => t.status === 'unavailable').map((t) => t.table);
    return (
      `spotify run ${e.run.id}: ${plural(e.run.rowsLoaded, 'row')} into ${plural(loadedTables, 'table')}, ${count(e.run.rowsRejected)} quarantined` +
      `${unavailable.length ? `, ${unavailable.join(', ')} unavailable` : ''} (opsctl etl show ${e.run.id})`
    );
  },
};
