import { z } from 'zod';
import { NotFoundError } from '../../src/errors.js';
import { listExecutions, type ExecutionEntry } from '../../src/state/execution-log.js';
import { listQuarantine, type QuarantinedRecord } from '../../src/state/quarantine.js';
import { getRun } from '../../src/state/runs.js';
import { defineOperation } from '../operation.js';
import { summaryTables, toRunListItem, type RunListItem } from './summary.js';

export const etlShowInput = z.strictObject({ run: z.number().int().positive() });

export interface EtlShowTable {
  table: string;
  status: string;
  extracted: number;
  loaded: number;
  rejected: number;
  reason: string | null;
  watermarkBefore: string | null;
  watermarkAfter: string | null;
  durationMs: number | null;
}

export interface EtlShowResult {
  run: RunListItem;
  tables: EtlShowTable[];
  notes: string[];
  /** The run's quarantined records (at most 50; `quarantinedTotal` counts them all per table). */
  quarantined: QuarantinedRecord[];
  quarantinedByTable: Record<string, number>;
}

const QUARANTINE_SHOWN = 50;

/** One run in detail: per-table counts and reasons, the error, and the records it quarantined. */
export const etlShow = defineOperation({
  name: 'etl.show',
  summary: 'One pipeline run: per-table counts, error and quarantined records',
  input: etlShowInput,
  async run(ctx, input): Promise<EtlShowResult> {
    const store = await ctx.state();
    const run = await getRun(store, input.run);
    if (!run)
      throw new NotFoundError(`run ${input.run} does not exist`, { hint: 'List runs with `opsctl etl history`.' });
    const logged = await listExecutions(store, { runId: run.id, limit: 1000 });
    const tables = logged.length
      ? logged.reverse().map(fromLog)
      : summaryTables(run).map((t) => ({
          table: t.table,
          status: t.status,
          extracted: t.extracted,
          loaded: t.loaded,
          rejected: t.rejected,
          reason: t.reason ?? null,
          watermarkBefore: t.watermarkBefore ?? null,
          watermarkAfter: t.watermarkAfter ?? null,
          durationMs: t.durationMs ?? null,
        }));
    const byTable = await store.query<{ table_name: string; n: number | string }>(
      'SELECT table_name, COUNT(*) AS n FROM quarantine WHERE run_id = ? GROUP BY table_name ORDER BY table_name',
      [run.id],
    );
    const summary = run.summary as { notes?: unknown } | null;
    return {
      run: toRunListItem(run),
      tables,
      notes: Array.isArray(summary?.notes) ? summary.notes.map(String) : [],
      quarantined: await listQuarantine(store, { runId: run.id, limit: QUARANTINE_SHOWN }),
      quarantinedByTable: Object.fromEntries(byTable.map((r) => [r.table_name, Number(r.n)])),
    };
  },
});

function fromLog(e: ExecutionEntry): EtlShowTable {
  const details = e.details as { durationMs?: number } | null;
  return {
    table: e.table,
    status: e.status,
    extracted: e.rowsExtracted,
    loaded: e.rowsLoaded,
    rejected: e.rowsRejected,
    reason: e.error,
    watermarkBefore: e.watermarkBefore,
    watermarkAfter: e.watermarkAfter,
    durationMs: typeof details?.durationMs === 'number' ? details.durationMs : null,
  };
}
