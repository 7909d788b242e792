import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { runCli, type CliResult } from './cli.js';
import { pgQuery } from './databases.js';
import { tempDir } from './tmp.js';

/**
 * A sync workspace: a DuckDB warehouse file the test writes between runs, a SQLite state store, and one target
 * (real PostgreSQL or PGlite). Table `events` has a composite key, a date incremental column and lookback 3; its
 * source column `n` is VARCHAR while the target's is integer, so a test can plant a value of the wrong type.
 */
export interface SyncWorkspace {
  dir: string;
  warehouse: string;
  target: { engine: 'postgres'; url: string } | { engine: 'pglite'; path: string };
  cli(args: string[], options?: { timeoutMs?: number }): Promise<CliResult>;
  duck(sql: string): Promise<Array<Record<string, unknown>>>;
}

export const EVENTS_TABLE = {
  source: { table: 'src.events' },
  columns: { fecha: 'date', archivo: 'text', cartera: 'text', monto: 'numeric', n: 'integer', nota: 'text' },
  primary_key: ['fecha', 'archivo', 'cartera'],
  incremental_column: 'fecha',
  lookback_days: 3,
  max_lag: '2d',
};

export function syncWorkspace(
  target: SyncWorkspace['target'],
  tables: Record<string, unknown> = { events: EVENTS_TABLE },
  extra: Record<string, unknown> = {},
): SyncWorkspace {
  const dir = tempDir('opsctl-sync-');
  const warehouse = join(dir, 'warehouse.duckdb');
  const config = {
    home: './home',
    warehouse: { kind: 'duckdb', duckdb: { path: warehouse } },
    targets: {
      dash:
        target.engine === 'postgres'
          ? { engine: 'postgres', url: target.url }
          : { engine: 'pglite', path: target.path },
    },
    pipelines: { pulso: { kind: 'sync', target: 'dash', batchSize: 1000, tables, ...extra } },
  };
  writeFileSync(join(dir, 'opsctl.config.json'), JSON.stringify(config, null, 2));
  return {
    dir,
    warehouse,
    target,
    cli: (args, options) => runCli(args, { cwd: dir, ...(options?.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) }),
    async duck(sql) {
      const instance = await DuckDBInstance.create(warehouse);
      const c = await instance.connect();
      try {
        let last: Array<Record<string, unknown>> = [];
        for (const s of sql
          .split(/;\s*\n/)
          .map((x) => x.trim())
          .filter(Boolean))
          last = (await c.runAndReadAll(s)).getRowObjectsJson();
        return last;
      } finally {
        c.closeSync();
        instance.closeSync();
      }
    },
  };
}

/** The events source: 10 days × 2 archivos × 2 carteras ending at `last`. */
export function seedEventsSql(last: string): string {
  return `CREATE SCHEMA IF NOT EXISTS src;
CREATE OR REPLACE TABLE src.events AS
SELECT (DATE '${last}' - CAST(d AS INTEGER))::DATE AS fecha, a AS archivo, c AS cartera, (d * 10 + len(a) + len(c))::DECIMAL(12,2) AS monto, CAST(d AS VARCHAR) AS n, 'v1' AS nota
FROM range(0, 10) t(d), (VALUES ('A1'), ('A2')) x(a), (VALUES ('movil'), ('hogar')) y(c)`;
}

/** The target table's rows, in key order, as text (to compare two databases exactly). */
export async function pgRows(url: string, table = 'events'): Promise<string[]> {
  const rows = await pgQuery<{ r: string }>(url, `SELECT t::text AS r FROM ${table} t ORDER BY 1`);
  return rows.map((r) => r.r);
}

export function json<T>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
}
