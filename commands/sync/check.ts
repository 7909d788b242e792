import { z } from 'zod';
import { openTarget } from '../../src/db/target.js';
import { errorMessage } from '../../src/errors.js';
import { checkTable, type TableCheck } from '../../src/pipelines/sync/check.js';
import { allSyncTables, type SyncTable } from '../../src/pipelines/sync/tables.js';
import { defineOperation, type OperationContext } from '../operation.js';

export interface SyncCheckResult {
  ok: boolean;
  targets: Array<{
    target: string;
    engine: string | null;
    pipelines: string[];
    error: string | null;
    tables: Array<TableCheck & { pipeline: string }>;
  }>;
}

/** Groups tables by target and opens each target once. */
export async function forEachTarget<R>(
  ctx: OperationContext,
  tables: SyncTable[],
  fn: (target: Awaited<ReturnType<typeof openTarget>>, tables: SyncTable[]) => Promise<R>,
): Promise<Array<{ target: string; engine: string | null; tables: SyncTable[]; result?: R; error?: string }>> {
  const byTarget = new Map<string, SyncTable[]>();
  for (const t of tables) byTarget.set(t.target, [...(byTarget.get(t.target) ?? []), t]);
  const out: Array<{ target: string; engine: string | null; tables: SyncTable[]; result?: R; error?: string }> = [];
  for (const [name, ts] of byTarget) {
    const config = ctx.config.targets[name];
    if (!config) {
      out.push({
        target: name,
        engine: null,
        tables: ts,
        error: `target "${name}" is not configured (targets.${name})`,
      });
      continue;
    }
    try {
      const target = await openTarget(name, config, { signal: ctx.signal });
      try {
        out.push({ target: name, engine: config.engine, tables: ts, result: await fn(target, ts) });
      } finally {
        await target.close();
      }
    } catch (error) {
      out.push({ target: name, engine: config.engine, tables: ts, error: errorMessage(error) });
    }
  }
  return out;
}

/** The sync's schema check (for `opsctl validate`): each target table's columns, types and primary key against the config. */
export const syncCheck = defineOperation({
  name: 'sync.check',
  summary: 'Check the sync target tables against the config: columns, types, primary keys',
  input: z.object({ pipeline: z.string().optional() }),
  async run(ctx, input): Promise<SyncCheckResult> {
    const tables = allSyncTables(ctx.config).filter((t) => !input.pipeline || t.pipeline === input.pipeline);
    const results = await forEachTarget(ctx, tables, async (target, ts) => {
      const checks: Array<TableCheck & { pipeline: string }> = [];
      for (const t of ts) checks.push({ pipeline: t.pipeline, ...(await checkTable(target, t)) });
      return checks;
    });
    const targets = results.map((r) => ({
      target: r.target,
      engine: r.engine,
      pipelines: [...new Set(r.tables.map((t) => t.pipeline))],
      error: r.error ?? null,
      tables: r.result ?? [],
    }));
    return { ok: targets.every((t) => !t.error && t.tables.every((x) => x.status === 'ok')), targets };
  },
});
