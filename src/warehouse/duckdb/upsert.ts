import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { BIGINT, DuckDBDataChunk } from './api.js';
import { CancelledError } from '../../errors.js';
import type { TableDef, UpsertResult, WarehouseJobOptions } from '../tables.js';
import type { Row } from '../warehouse.js';
import { DUCK_TYPE, ident, SQL_TYPE, toDuckValue, validateDef } from './sql.js';

/** DuckDB's vector size: the appender takes data chunks of at most this many rows. */
const CHUNK_ROWS = 2048;
const SEQ = '__opsctl_seq';

/**
 * Loads `rows` into `def` on its key: the rows go into a temporary staging table through DuckDB's appender, one
 * data chunk (2048 rows, column by column) at a time, then one MERGE inserts new keys and updates rows whose values
 * changed (columns in `unchangedUnless` are not compared). Duplicate keys inside the batch resolve to the last row
 * given. Rows identical to what is stored are left alone, so re-loading the same extract reports 0 inserted,
 * 0 updated and changes nothing.
 */
export async function upsertDuckdb(
  connection: DuckDBConnection,
  def: TableDef,
  rows: Row[],
  options: WarehouseJobOptions = {},
): Promise<UpsertResult> {
  validateDef(def);
  if (rows.length === 0) return { inserted: 0, updated: 0 };
  const stage = `opsctl_stage_${def.name}`;
  const columns = def.columns;
  const abort = () => {
    if (options.signal?.aborted)
      throw new CancelledError(`loading ${def.name} was cancelled`, {
        hint: 'Nothing of this table was merged; re-run the pipeline.',
      });
  };
  abort();
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE ${ident(stage)} (${columns.map((c) => `${ident(c.name)} ${SQL_TYPE[c.type]}`).join(', ')}, ${ident(SEQ)} BIGINT)`,
  );
  try {
    const appender = await connection.createAppender(stage, 'main', 'temp');
    try {
      const types = [...columns.map((c) => DUCK_TYPE[c.type]), BIGINT];
      for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
        abort();
        const batch = rows.slice(start, start + CHUNK_ROWS);
        const vectors: DuckDBValue[][] = columns.map((c) => batch.map((row) => toDuckValue(def.name, c, row[c.name])));
        vectors.push(batch.map((_, i) => BigInt(start + i)));
        const chunk = DuckDBDataChunk.create(types, batch.length);
        chunk.setColumns(vectors);
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    abort();
    return await merge(connection, def, stage);
  } finally {
    await connection.run(`DROP TABLE IF EXISTS temp.${ident(stage)}`).catch(() => undefined);
  }
}

async function merge(connection: DuckDBConnection, def: TableDef, stage: string): Promise<UpsertResult> {
  const key = def.key.map(ident);
  const rest = def.columns.filter((c) => !def.key.includes(c.name)).map((c) => ident(c.name));
  const all = def.columns.map((c) => ident(c.name));
  const source = `SELECT ${all.join(', ')} FROM temp.${ident(stage)} QUALIFY row_number() OVER (PARTITION BY ${key.join(', ')} ORDER BY ${ident(SEQ)} DESC) = 1`;
  const ignored = new Set((def.unchangedUnless ?? []).map(ident));
  const compared = rest.filter((c) => !ignored.has(c));
  const changed = compared.length ? compared.map((c) => `t.${c} IS DISTINCT FROM s.${c}`).join(' OR ') : 'false';
  const sql =
    `MERGE INTO ${ident(def.name)} AS t USING (${source}) AS s ON (${key.map((k) => `t.${k} = s.${k}`).join(' AND ')}) ` +
    (rest.length
      ? `WHEN MATCHED AND (${changed}) THEN UPDATE SET ${rest.map((c) => `${c} = s.${c}`).join(', ')} `
      : '') +
    `WHEN NOT MATCHED THEN INSERT (${all.join(', ')}) VALUES (${all.map((c) => `s.${c}`).join(', ')}) RETURNING merge_action`;
  await connection.run('BEGIN TRANSACTION');
  try {
    const reader = await connection.runAndReadAll(sql);
    await connection.run('COMMIT');
    let inserted = 0;
    let updated = 0;
    for (const [action] of reader.getRows()) {
      if (action === 'INSERT') inserted += 1;
      else if (action === 'UPDATE') updated += 1;
    }
    return { inserted, updated };
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
