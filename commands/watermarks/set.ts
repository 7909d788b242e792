import { z } from 'zod';
import { UsageError } from '../../src/errors.js';
import { selectSyncTables, type SyncTable } from '../../src/pipelines/sync/tables.js';
import { parseWatermark } from '../../src/pipelines/sync/values.js';
import { withLock } from '../../src/state/locks.js';
import { deleteWatermark, getWatermark, setWatermark } from '../../src/state/watermarks.js';
import {
  confirmFields,
  defineOperation,
  requireConfirmation,
  type ConfirmTarget,
  type OperationContext,
} from '../operation.js';

export interface WatermarkChange {
  pipeline: string;
  table: string;
  before: string | null;
  after: string | null;
  /** The next run reads from here (after minus the lookback; null: the whole source). */
  note: string;
}

/** Changes a watermark holding the pipeline's lock, so it never races a run (which would overwrite it). */
async function change(
  ctx: OperationContext,
  t: SyncTable,
  after: string | null,
  operation: string,
): Promise<WatermarkChange> {
  const store = await ctx.state();
  return withLock(store, `pipeline:${t.pipeline}`, { operation, what: `pipeline ${t.pipeline}` }, async () => {
    const before = (await getWatermark(store, t.pipeline, t.name))?.value ?? null;
    if (after === null) await deleteWatermark(store, t.pipeline, t.name);
    else await setWatermark(store, { pipeline: t.pipeline, table: t.name, value: after, type: t.watermarkType });
    const note =
      after === null
        ? 'the next run reloads the whole source'
        : `the next run reads ${t.incremental} ≥ ${after}${t.lookbackDays ? ` minus ${t.lookbackDays} days of lookback` : ''}`;
    return { pipeline: t.pipeline, table: t.name, before, after, note };
  });
}

export const watermarksSet = defineOperation({
  name: 'watermarks.set',
  summary: "Set a sync table's watermark (needs confirmation)",
  input: z.object({ table: z.string().min(1), value: z.string().min(1), ...confirmFields }),
  async run(ctx, input): Promise<WatermarkChange> {
    const [t] = selectSyncTables(ctx.config, input.table);
    const value = parseWatermark(input.value, t!.watermarkType);
    if (value === undefined) {
      throw new UsageError(`"${input.value}" is not a ${t!.watermarkType} watermark for ${t!.name}.${t!.incremental}`, {
        hint:
          t!.watermarkType === 'date'
            ? 'Give a date like 2026-11-01.'
            : t!.watermarkType === 'timestamp'
              ? 'Give a timestamp like 2026-11-01T00:00:00Z.'
              : 'Give an integer.',
      });
    }
    requireConfirmation(input, `set the watermark of ${t!.pipeline}/${t!.name} to ${value}`, {
      target: syncTarget(ctx, t!),
    });
    return change(ctx, t!, value, 'watermarks.set');
  },
});

export const watermarksReset = defineOperation({
  name: 'watermarks.reset',
  summary: "Forget a sync table's watermark: the next run reloads its whole source (needs confirmation)",
  input: z.object({ table: z.string().min(1), ...confirmFields }),
  async run(ctx, input): Promise<WatermarkChange> {
    const [t] = selectSyncTables(ctx.config, input.table);
    requireConfirmation(
      input,
      `reset the watermark of ${t!.pipeline}/${t!.name} (the next run reloads the whole source)`,
      { target: syncTarget(ctx, t!) },
    );
    return change(ctx, t!, null, 'watermarks.reset');
  },
});

/** A watermark belongs to its sync table's target: production there means the target's name must be typed. */
function syncTarget(ctx: OperationContext, t: SyncTable): ConfirmTarget {
  return {
    name: t.target,
    production: ctx.config.targets[t.target]?.production === true || ctx.config.environment === 'production',
  };
}
