import { quoteBigQuery } from '../../db/identifiers.js';
import { UsageError } from '../../errors.js';
import type { ColumnDef, ColumnType, TableDef } from '../tables.js';

/**
 * The GoogleSQL opsctl sends to BigQuery, generated from table definitions. Identifiers (project, dataset, table,
 * column) are validated and backtick-quoted; values never appear in the text: they are bound as positional (`?`)
 * parameters. The same generators feed the adapter and `opsctl validate`'s dry runs, so what is dry-run is what runs.
 */

const COLUMN = /^[A-Za-z_][A-Za-z0-9_]{0,299}$/;
const DATASET = /^[A-Za-z0-9_]{1,1024}$/;
const PROJECT = /^[a-z][a-z0-9.:-]{4,61}[a-z0-9]$/;

/** The column that orders staging rows: a duplicate key inside one batch resolves to the last row given. */
export const SEQ_COLUMN = '_opsctl_seq';

export function column(name: string): string {
  if (!COLUMN.test(name)) {
    throw new UsageError(`"${name}" is not a valid BigQuery column or table name`, {
      hint: 'Names are letters, digits and _, starting with a letter or _.',
    });
  }
  return quoteBigQuery(name);
}

export interface TableRef {
  projectId: string;
  datasetId: string;
  tableId: string;
}

/** `project`.`dataset`.`table`, each part validated and quoted (BigQuery allows `-` and `:` in project ids). */
export function tablePath(ref: TableRef): string {
  if (!PROJECT.test(ref.projectId))
    throw new UsageError(`"${ref.projectId}" is not a valid Google Cloud project id`, {
      hint: 'Check warehouse.bigquery.projectId.',
    });
  if (!DATASET.test(ref.datasetId))
    throw new UsageError(`"${ref.datasetId}" is not a valid BigQuery dataset id`, {
      hint: 'Check warehouse.bigquery.dataset.',
    });
  column(ref.tableId);
  return quoteBigQuery([ref.projectId, ref.datasetId, ref.tableId]);
}

export function validateDef(def: TableDef): void {
  column(def.name);
  const names = new Set(def.columns.map((c) => column(c.name) && c.name));
  if (def.key.length === 0)
    throw new UsageError(`table ${def.name} has no key`, {
      hint: 'Every warehouse table declares the natural key its loads merge on.',
    });
  for (const k of def.key) {
    if (!names.has(k)) throw new UsageError(`table ${def.name}: key column ${k} is not one of its columns`);
    if (def.columns.find((c) => c.name === k)!.type === 'JSON')
      throw new UsageError(`table ${def.name}: key column ${k} is JSON, which BigQuery cannot join on`);
  }
  if (names.has(SEQ_COLUMN)) throw new UsageError(`table ${def.name}: ${SEQ_COLUMN} is reserved for staging`);
  if (def.partitionBy) {
    const p = def.columns.find((c) => c.name === def.partitionBy!.column);
    if (!p || (p.type !== 'TIMESTAMP' && p.type !== 'DATE')) {
      throw new UsageError(
        `table ${def.name}: partition column ${def.partitionBy.column} must be a TIMESTAMP or DATE column`,
      );
    }
  }
}

/** BigQuery schema field of a column: key columns are REQUIRED whatever the definition says. */
export interface SchemaField {
  name: string;
  type: ColumnType;
  mode: 'REQUIRED' | 'NULLABLE';
  description?: string;
}

export function schemaFields(def: TableDef, extra: ColumnDef[] = []): SchemaField[] {
  return [...def.columns, ...extra].map((c) => ({
    name: c.name,
    type: c.type,
    mode: c.required || def.key.includes(c.name) ? 'REQUIRED' : 'NULLABLE',
    ...(c.description ? { description: c.description } : {}),
  }));
}

/** The tables.insert metadata of a table: schema, description and, for partitioned defs, DAY partitioning on the column. */
export function tableMetadata(def: TableDef): Record<string, unknown> {
  return {
    schema: { fields: schemaFields(def) },
    ...(def.description ? { description: def.description } : {}),
    ...(def.partitionBy ? { timePartitioning: { type: def.partitionBy.type, field: def.partitionBy.column } } : {}),
    // Clustering on the key lets the MERGE's join and keyed reads prune blocks (at most 4 clusterable columns).
    ...clusteringFor(def),
  };
}

function clusteringFor(def: TableDef): { clustering?: { fields: string[] } } {
  const clusterable = new Set<ColumnType>(['STRING', 'INT64', 'BOOL', 'DATE', 'TIMESTAMP']);
  const fields = def.key.filter((k) => clusterable.has(def.columns.find((c) => c.name === k)!.type)).slice(0, 4);
  return fields.length ? { clustering: { fields } } : {};
}

/**
 * One MERGE from the staging table into the target on the natural key. Staging rows are deduplicated first (the last
 * row of the batch wins, by its sequence number), so a key appearing twice in a batch never makes MERGE fail; a row
 * equal to the stored one is not touched, so re-loading the same extract reports 0 inserted and 0 updated.
 */
export function mergeSql(
  target: TableRef,
  staging: TableRef,
  def: TableDef,
  options: { sequenced?: boolean; prune?: boolean } = {},
): string {
  validateDef(def);
  const key = def.key.map(column);
  const all = def.columns.map((c) => column(c.name));
  const rest = def.columns.filter((c) => !def.key.includes(c.name)).map((c) => column(c.name));
  const prune = options.prune && prunableColumn(def);
  const on = [
    ...key.map((k) => `T.${k} = S.${k}`),
    ...(prune
      ? [
          prune.type === 'DATE'
            ? `T.${column(prune.name)} BETWEEN DATE(?) AND DATE(?)`
            : `T.${column(prune.name)} BETWEEN ? AND ?`,
        ]
      : []),
  ].join(' AND ');
  // `sequenced: false` is for a source without the staging sequence (validate dry-runs the MERGE from the target itself).
  const order = options.sequenced === false ? key.join(', ') : `${column(SEQ_COLUMN)} DESC`;
  // JSON has no equality in GoogleSQL: compare its canonical text.
  const isJson = new Set(def.columns.filter((c) => c.type === 'JSON').map((c) => column(c.name)));
  const side = (alias: string, c: string) => (isJson.has(c) ? `TO_JSON_STRING(${alias}.${c})` : `${alias}.${c}`);
  const changed = rest.map((c) => `${side('T', c)} IS DISTINCT FROM ${side('S', c)}`).join(' OR ');
  return [
    `MERGE INTO ${tablePath(target)} AS T`,
    `USING (`,
    `  SELECT ${all.join(', ')}`,
    `  FROM ${tablePath(staging)}`,
    `  WHERE TRUE`,
    `  QUALIFY ROW_NUMBER() OVER (PARTITION BY ${key.join(', ')} ORDER BY ${order}) = 1`,
    `) AS S`,
    `ON ${on}`,
    ...(rest.length
      ? [`WHEN MATCHED AND (${changed}) THEN`, `  UPDATE SET ${rest.map((c) => `${c} = S.${c}`).join(', ')}`]
      : []),
    `WHEN NOT MATCHED THEN`,
    `  INSERT (${all.join(', ')}) VALUES (${all.map((c) => `S.${c}`).join(', ')})`,
  ].join('\n');
}

/**
 * The partition column when it is part of the key. Then every target row a batch can match lies between the batch's
 * least and greatest value of it, and a constant range on it in the MERGE's ON lets BigQuery read only those
 * partitions (bound as two parameters, see `pruneRange`). A partition column outside the key (top_* by
 * extracted_at) cannot be bounded that way: a stored row may carry an older value.
 */
export function prunableColumn(def: TableDef): ColumnDef | undefined {
  const name = def.partitionBy?.column;
  return name && def.key.includes(name) ? def.columns.find((c) => c.name === name) : undefined;
}

/** The two bound parameters of a pruned MERGE: the batch's least and greatest partition value, as TIMESTAMPs. */
export function pruneRange(values: unknown[]): [Date, Date] {
  const times = values.map((v) =>
    v instanceof Date
      ? v.getTime()
      : typeof v === 'number'
        ? v
        : Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(String(v)) ? `${String(v)}T00:00:00Z` : String(v)),
  );
  let min = Infinity;
  let max = -Infinity;
  for (const t of times) {
    if (t < min) min = t;
    if (t > max) max = t;
  }
  // A millisecond of slack either side: loads send milliseconds, a stored value may carry microseconds.
  return [new Date(min - 1), new Date(max + 1)];
}

function retentionColumn(def: TableDef, name: string): ColumnDef {
  validateDef(def);
  const col = def.columns.find((c) => c.name === name);
  if (!col || (col.type !== 'TIMESTAMP' && col.type !== 'DATE')) {
    throw new UsageError(`${def.name}.${name} is not a TIMESTAMP or DATE column`, {
      hint: 'Retention deletes by a time column of the table.',
    });
  }
  return col;
}

/** `column < ?` with the one bound parameter (the cutoff, a TIMESTAMP); DATE columns compare with the cutoff's UTC day. */
function retentionPredicate(def: TableDef, name: string): string {
  const col = retentionColumn(def, name);
  return col.type === 'DATE' ? `${column(name)} < DATE(?)` : `${column(name)} < ?`;
}

/** Retention: the DML DELETE (one TIMESTAMP parameter, the cutoff). On a partitioned column BigQuery prunes partitions. */
export function deleteOlderThanSql(target: TableRef, def: TableDef, name: string): string {
  return `DELETE FROM ${tablePath(target)} WHERE ${retentionPredicate(def, name)}`;
}

/** Retention's dry run: how many rows the DELETE would remove. */
export function countOlderThanSql(target: TableRef, def: TableDef, name: string): string {
  return `SELECT COUNT(*) AS n FROM ${tablePath(target)} WHERE ${retentionPredicate(def, name)}`;
}
