import { createRequire } from 'node:module';
import type * as DuckDB from '@duckdb/node-api';

/**
 * @duckdb/node-api loaded through require(), not `import`: it is a CommonJS package whose index re-exports ~90 modules,
 * and an ESM import makes Node run its CommonJS export lexer over every one of them before loading them again. Measured
 * on the 2-core machine: `import` 2.4–2.7 s against `require` 1.3 s for the same module (node alone: 0.5 s), paid by
 * every command that opens the warehouse (a sync run with nothing new most of all). Types still come from the
 * package's declarations (`import type` from '@duckdb/node-api' stays as it is).
 */
const duckdb = createRequire(import.meta.url)('@duckdb/node-api') as typeof DuckDB;

export const {
  BIGINT,
  BOOLEAN,
  DATE,
  DOUBLE,
  DuckDBDataChunk,
  DuckDBDateValue,
  DuckDBInstance,
  DuckDBTimestampValue,
  JsonDuckDBValueConverter,
  TIMESTAMP,
  VARCHAR,
} = duckdb;
