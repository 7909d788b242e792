import { z } from 'zod';
import { checkTable, metaTablesPresent, timescaleState, type TableCheck } from '../../src/pipelines/sync/check.js';
import { createTableSql, META_TABLES_SQL, timescaleSql } from '../../src/pipelines/sync/ddl.js';
import { allSyncTables } from '../../src/pipelines/sync/tables.js';
import { errorMessage } from '../../src/errors.js';
import { defineOperation } from '../operation.js';
import { forEachTarget } from './check.js';

export interface SyncSetupTarget {
  target: string;
  engine: string | null;
  /** optimal: TimescaleDB with every table a hypertable with retention; basic: plain PostgreSQL (or PGlite). */
  status: 'optimal' | 'basic' | 'unreachable';
  timescale: { installed: string | null; available: string | null; hypertables: string[] } | null;
  tables: Array<TableCheck & { pipeline: string; created: boolean }>;
  metaTables: string[];
  /** The TimescaleDB statements sent (setup) or that setup would send (--check, where the extension exists). */
  statements: string[];
  notes: string[];
  error: string | null;
}

export interface SyncSetupResult {
  ok: boolean;
  check: boolean;
  targets: SyncSetupTarget[];
}

/**
 * `sync setup`: creates what is missing on each target (the tables, etl_watermarks, etl_execution_log) and, where the
 * timescaledb extension exists, turns them into hypertables with retention (status "optimal"); plain PostgreSQL is
 * "basic". `--check` changes nothing and fails when a table is missing or differs from the config.
 */
export const syncSetup = defineOperation({
  name: 'sync.setup',
  summary: 'Create the sync tables on each target (hypertables where TimescaleDB exists); --check only reports',
  input: z.object({ check: z.boolean().default(false) }),
  async run(ctx, input): Promise<SyncSetupResult> {
    const tables = allSyncTables(ctx.config);
    const results = await forEachTarget(ctx, tables, async (target, ts) => {
      const notes: string[] = [];
      const before = new Map<string, TableCheck>();
      for (const t of ts) before.set(t.name, await checkTable(target, t));
      let ts0 = await timescaleState(target);
      const statements: string[] = [];
      if (!input.check) {
        for (const sql of META_TABLES_SQL) await target.exec(sql);
        for (const t of ts) if (before.get(t.name)!.status === 'missing') await target.exec(createTableSql(t));
        if (!ts0.installed && ts0.available) {
          try {
            await target.exec('CREATE EXTENSION IF NOT EXISTS timescaledb');
            ts0 = await timescaleState(target);
          } catch (error) {
            notes.push(
              `timescaledb ${ts0.available} is available but could not be created: ${errorMessage(error)} (it needs shared_preload_libraries = 'timescaledb')`,
            );
          }
        }
      }
      if (ts0.installed) {
        const wanted = timescaleSql(ts);
        statements.push(...wanted);
        if (!input.check) {
          for (const sql of wanted) await target.exec(sql);
          ts0 = await timescaleState(target);
        }
      } else {
        notes.push(
          target.engine === 'pglite'
            ? 'PGlite has no TimescaleDB: plain tables (basic)'
            : 'the timescaledb extension is not installed on this server: plain tables (basic)',
        );
      }
      const tablesOut: Array<TableCheck & { pipeline: string; created: boolean }> = [];
      for (const t of ts) {
        const after = input.check ? before.get(t.name)! : await checkTable(target, t);
        tablesOut.push({
          pipeline: t.pipeline,
          ...after,
          created: !input.check && before.get(t.name)!.status === 'missing' && after.status !== 'missing',
        });
      }
      const timeTables = ts
        .filter((t) => t.watermarkType === 'date' || t.watermarkType === 'timestamp')
        .map((t) => t.name);
      const optimal = ts0.installed !== null && timeTables.every((n) => ts0.hypertables.includes(n));
      return {
        status: optimal ? ('optimal' as const) : ('basic' as const),
        timescale: ts0,
        tables: tablesOut,
        metaTables: await metaTablesPresent(target),
        statements,
        notes,
      };
    });
    const targets: SyncSetupTarget[] = results.map((r) =>
      r.result
        ? { target: r.target, engine: r.engine, ...r.result, error: null }
        : {
            target: r.target,
            engine: r.engine,
            status: 'unreachable',
            timescale: null,
            tables: [],
            metaTables: [],
            statements: [],
            notes: [],
            error: r.error ?? 'unknown error',
          },
    );
    const ok = targets.every((t) => !t.error && t.metaTables.length === 2 && t.tables.every((x) => x.status === 'ok'));
    return { ok, check: input.check, targets };
  },
});
