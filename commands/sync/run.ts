import { z } from 'zod';
import { UsageError } from '../../src/errors.js';
import { executePipeline } from '../../src/pipelines/execute.js';
import type { SyncTableOutcome } from '../../src/pipelines/sync/run-table.js';
import { selectSyncTables } from '../../src/pipelines/sync/tables.js';
import { defineOperation } from '../operation.js';

export interface SyncRunResult {
  ok: boolean;
  force: boolean;
  dryRun: boolean;
  pipelines: Array<{ pipeline: string; runId: number; target: string; tables: SyncTableOutcome[]; notes: string[] }>;
}

/** `sync run [--table T] [--force]`: every configured sync table (or one), each in its own transaction. */
export const syncRun = defineOperation({
  name: 'sync.run',
  summary: "Sync warehouse tables into their database target, from each table's watermark minus its lookback",
  input: z.object({
    /** `table` or `pipeline/table`; default: every table of every enabled sync pipeline. */
    table: z.string().min(1).optional(),
    /** Ignore the watermarks and reload the whole source. */
    force: z.boolean().default(false),
    /** Read, check and stage everything, then roll back: nothing changes, no watermark moves. */
    dryRun: z.boolean().default(false),
  }),
  async run(ctx, input): Promise<SyncRunResult> {
    const selected = selectSyncTables(ctx.config, input.table).filter((t) => input.table || t.enabled);
    if (selected.length === 0) {
      throw new UsageError('no sync tables are configured', {
        hint: 'Add a pipeline of kind "sync" with tables to opsctl.config.json (pipelines.<name>.tables); `opsctl demo` writes an example.',
      });
    }
    const byPipeline = new Map<string, string[]>();
    for (const t of selected) byPipeline.set(t.pipeline, [...(byPipeline.get(t.pipeline) ?? []), t.name]);
    const result: SyncRunResult = { ok: true, force: input.force, dryRun: input.dryRun, pipelines: [] };
    for (const [name, tables] of byPipeline) {
      const pipeline = ctx.config.pipelines[name]!;
      const exec = await executePipeline(ctx, name, pipeline, {
        dryRun: input.dryRun,
        force: input.force,
        ...(input.table ? { tables } : {}),
        operation: 'sync.run',
      });
      const outcomes = (exec.outcome?.tables ?? []) as SyncTableOutcome[];
      if (outcomes.some((o) => o.status === 'failed')) result.ok = false;
      result.pipelines.push({
        pipeline: name,
        runId: exec.run.id,
        target: pipeline.kind === 'sync' ? pipeline.target : '',
        tables: outcomes,
        notes: exec.outcome?.notes ?? [],
      });
    }
    return result;
  },
});
