import { quotePg } from '../../db/identifiers.js';
import type { DuckdbWarehouse } from '../../warehouse/duckdb.js';
import type { TableStorage } from '../usage.js';

interface Column {
  schema_name: string;
  table_name: string;
  column_name: string;
  data_type: string;
}

/** BigQuery's logical size of one value of a DuckDB column, as SQL (NULL is 0 bytes, as in BigQuery). */
function sizeExpression(c: Column): string {
  const col = quotePg(c.column_name);
  const t = c.data_type.toUpperCase();
  let size: string;
  if (/CHAR|TEXT|STRING|UUID|JSON/.test(t)) size = `2 + strlen(CAST(${col} AS VARCHAR))`;
  else if (/BLOB|BYTEA/.test(t)) size = `octet_length(${col})`;
  else if (t === 'BOOLEAN') size = '1';
  else if (/DECIMAL|NUMERIC/.test(t)) size = '16';
  else if (/\[\]|LIST|STRUCT|MAP/.test(t)) size = `2 + strlen(CAST(${col} AS VARCHAR))`;
  else size = '8'; // integers, floats, dates, timestamps, intervals
  return `CASE WHEN ${col} IS NULL THEN 0 ELSE ${size} END`;
}

/**
 * Storage per table of the DuckDB warehouse in BigQuery's terms: logical (uncompressed) bytes by BigQuery's data-type
 * sizes, all of it "active" (DuckDB has no long-term tier). This is what the same tables would be billed as there.
 */
export async function readDuckdbStorage(warehouse: DuckdbWarehouse): Promise<TableStorage[]> {
  const columns = await warehouse.query<Column>(
    `SELECT c.schema_name, c.table_name, c.column_name, c.data_type FROM duckdb_columns() c
     JOIN duckdb_tables() t ON t.table_oid = c.table_oid WHERE NOT t.internal AND NOT t.temporary ORDER BY c.schema_name, c.table_name, c.column_index`,
  );
  const tables = new Map<string, Column[]>();
  for (const c of columns) {
    const key = `${c.schema_name}.${c.table_name}`;
    tables.set(key, [...(tables.get(key) ?? []), c]);
  }
  const out: TableStorage[] = [];
  for (const cols of tables.values()) {
    const { schema_name, table_name } = cols[0]!;
    const sum = cols.map(sizeExpression).join(' + ');
    const rows = await warehouse.query<{ bytes: bigint | number | null }>(
      `SELECT SUM(${sum}) AS bytes FROM ${quotePg([schema_name, table_name])}`,
    );
    out.push({ dataset: schema_name, table: table_name, activeBytes: Number(rows[0]?.bytes ?? 0), longTermBytes: 0 });
  }
  return out.sort((a, b) => b.activeBytes - a.activeBytes);
}
