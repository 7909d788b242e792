import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DuckDBConnection, DuckDBInstance as DuckDBInstanceType, DuckDBValue } from '@duckdb/node-api';
import { DuckDBInstance } from './duckdb/api.js';
import { BusyError, ConnectionError } from '../errors.js';
import { ensureDuckdbTables } from './duckdb/ddl.js';
import { deleteOlderThanDuckdb } from './duckdb/retention.js';
import { upsertDuckdb } from './duckdb/upsert.js';
import { streamDuckdb } from './duckdb/stream.js';
import { describeDuckdb, exportCsvDuckdb } from './duckdb/export.js';
import type { Row, Warehouse } from './warehouse.js';

export interface DuckdbWarehouse extends Warehouse {
  readonly kind: 'duckdb';
  readonly connection: DuckDBConnection;
  readonly path: string;
}

/** DuckDB allows one writing process per file; a second opener gets a lock error that names the holder's pid. */
export async function openDuckdbWarehouse(path: string): Promise<DuckdbWarehouse> {
  let instance: DuckDBInstanceType;
  let connection: DuckDBConnection;
  try {
    mkdirSync(dirname(path), { recursive: true });
    instance = await DuckDBInstance.create(path);
    connection = await instance.connect();
  } catch (error) {
    const message = (error as Error).message;
    const pid = /PID (\d+)/.exec(message)?.[1];
    if (pid)
      throw new BusyError(`warehouse ${path} is in use by pid ${pid}`, {
        hint: 'DuckDB allows one writing process at a time; wait for it to finish.',
        cause: error,
      });
    throw new ConnectionError(`cannot open the DuckDB warehouse ${path}: ${message}`, {
      hint: 'Check that OPSCTL_HOME is writable.',
      cause: error,
    });
  }
  return {
    kind: 'duckdb',
    location: path,
    path,
    connection,
    async query<T = Row>(sql: string, params: unknown[] = []) {
      const reader = await connection.runAndReadAll(sql, params as DuckDBValue[]);
      return reader.getRowObjectsJS() as T[];
    },
    async version() {
      const reader = await connection.runAndReadAll('SELECT version() AS v');
      return `DuckDB ${String(reader.getRowObjectsJS()[0]?.v ?? '?')}`;
    },
    ensureTables: (defs, options) => ensureDuckdbTables(connection, defs, options),
    upsert: (def, rows, options) => upsertDuckdb(connection, def, rows, options),
    deleteOlderThan: (def, column, before, options) => deleteOlderThanDuckdb(connection, def, column, before, options),
    stream: (sql, params, options) => streamDuckdb(connection, sql, params, options),
    describe: (sql) => describeDuckdb(connection, sql),
    exportCsv: (sql, params, file, options) => exportCsvDuckdb(connection, sql, params, file, options),
    async close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
