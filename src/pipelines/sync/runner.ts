import { openTarget } from '../../db/target.js';
import { OperationFailed, UsageError } from '../../errors.js';
import { openMeteredWarehouse } from '../../costs/metering.js';
import type { PipelineRunner } from '../types.js';
import { ensureTargetTables, syncOneTable, type SyncTableOutcome } from './run-table.js';
import { sourceDialect } from './source.js';
import { resolveTable } from './tables.js';

/**
 * The `sync` kind's runner: every table of the pipeline (or those asked for), one transaction each, into the
 * pipeline's target. `executePipeline` holds the pipeline's lock around it, so two runs never race on a table.
 * A table that fails is reported and the others go on; when every table failed the run fails.
 */
export const runSyncPipeline: PipelineRunner = async (ctx, name, pipeline, options) => {
  if (pipeline.kind !== 'sync') throw new UsageError(`pipeline "${name}" is not a sync pipeline`);
  const p = pipeline; // the narrowed kind, for the callbacks below
  let tables = Object.entries(p.tables).map(([t, tc]) => resolveTable(name, p, t, tc));
  if (options.tables?.length) {
    const unknown = options.tables.filter((t) => !tables.some((x) => x.name === t));
    if (unknown.length)
      throw new UsageError(`pipeline "${name}" has no table ${unknown.join(', ')}`, {
        hint: `Its tables: ${tables.map((t) => t.name).join(', ')}.`,
      });
    tables = tables.filter((t) => options.tables!.includes(t.name));
  }
  if (tables.length === 0)
    return { tables: [], notes: [`pipeline ${name} has no tables configured (pipelines.${name}.tables)`] };
  const targetConfig = ctx.config.targets[p.target];
  if (!targetConfig)
    throw new UsageError(`pipeline "${name}" syncs into target "${p.target}", which is not configured`, {
      hint: `Add targets.${p.target} or fix pipelines.${name}.target.`,
    });

  const store = await ctx.state();
  // The warehouse (loading DuckDB's native library is most of a run with nothing new) and the target (connect, ensure
  // the tables) open at the same time; whichever fails, the other is closed before the error goes up.
  const [wh, tg] = await Promise.allSettled([
    openMeteredWarehouse(ctx.config, store, { operation: 'sync.run', pipeline: name }),
    (async () => {
      const t = await openTarget(p.target, targetConfig, { signal: ctx.signal });
      try {
        await ensureTargetTables(t, tables);
      } catch (error) {
        await t.close().catch(() => undefined);
        throw error;
      }
      return t;
    })(),
  ]);
  if (wh.status === 'rejected' || tg.status === 'rejected') {
    if (wh.status === 'fulfilled') await wh.value.close().catch(() => undefined);
    if (tg.status === 'fulfilled') await tg.value.close().catch(() => undefined);
    throw wh.status === 'rejected' ? wh.reason : (tg as PromiseRejectedResult).reason;
  }
  const warehouse = wh.value;
  try {
    const target = tg.value;
    try {
      const outcomes: SyncTableOutcome[] = [];
      for (const [i, t] of tables.entries()) {
        ctx.progress({ phase: `sync ${t.name}`, done: i, total: tables.length });
        const outcome = await syncOneTable(t, {
          ctx,
          store,
          warehouse,
          source: sourceDialect(ctx.config),
          target,
          runId: options.runId,
          force: options.force ?? false,
          dryRun: options.dryRun,
          batchSize: p.batchSize,
        });
        ctx.log.info(`sync ${name}/${t.name}`, {
          status: outcome.status,
          extracted: outcome.extracted,
          loaded: outcome.loaded,
          rejected: outcome.rejected,
          watermark: outcome.watermarkAfter,
        });
        outcomes.push(outcome);
      }
      const failed = outcomes.filter((o) => o.status === 'failed');
      if (failed.length === outcomes.length) {
        throw new OperationFailed(`sync ${name}: every table failed (${failed[0]!.table}: ${failed[0]!.reason})`, {
          hint: 'Check the target and the warehouse with `opsctl validate --only sync`; nothing was committed and no watermark moved.',
          details: { tables: outcomes },
        });
      }
      const notes = outcomes.filter((o) => o.reason).map((o) => `${o.table}: ${o.reason}`);
      return { tables: outcomes, notes };
    } finally {
      await target.close();
    }
  } finally {
    await warehouse.close();
  }
};
