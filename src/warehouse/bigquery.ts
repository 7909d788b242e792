import { randomBytes } from 'node:crypto';
import type { BigQuery } from '@google-cloud/bigquery';
import type { Config } from '../config/load.js';
import { CancelledError, OperationFailed, UsageError } from '../errors.js';
import { createBigqueryClient, explainBigqueryError } from './bigquery-client.js';
import { labelsFor, loadNdjson, ndjsonLine, resultPages, runDml, startQuery, type JobScope } from './bigquery/jobs.js';
import {
  countOlderThanSql,
  deleteOlderThanSql,
  mergeSql,
  prunableColumn,
  pruneRange,
  schemaFields,
  SEQ_COLUMN,
  tableMetadata,
  validateDef,
  type SchemaField,
  type TableRef,
} from './bigquery/sql.js';
import type { TableDef, UpsertResult, WarehouseJobOptions } from './tables.js';
import type { Row, Warehouse } from './warehouse.js';

type BigqueryConfig = Config['warehouse']['bigquery'];

export interface BigqueryWarehouse extends Warehouse {
  readonly kind: 'bigquery';
  readonly client: BigQuery;
  /** The fully qualified reference of a table of the configured dataset. */
  ref(table: string): TableRef;
}

/** A staging table lives a day at most, so a run killed between load and drop leaves nothing behind for long. */
const STAGING_TTL_MS = 24 * 60 * 60 * 1000;
const DEFAULT_BATCH = 10_000;

/**
 * The BigQuery adapter of the Warehouse port, on `@google-cloud/bigquery`. Every job carries labels (app=opsctl,
 * operation, the config's labels and the caller's, e.g. pipeline) and the config's maximumBytesBilled. Loads never
 * use streaming inserts (billed): rows go through a free load job into a staging table and one MERGE on the key.
 */
export async function openBigqueryWarehouse(config: BigqueryConfig): Promise<BigqueryWarehouse> {
  const client = createBigqueryClient(config);
  const projectId = config.projectId!;
  const ref = (table: string): TableRef => ({ projectId, datasetId: config.dataset, tableId: table });
  const scope = (operation: string, what: string, options: WarehouseJobOptions = {}): JobScope => ({
    client,
    config,
    labels: labelsFor(config, operation, options.labels),
    signal: options.signal,
    what,
  });

  async function createTable(table: string, metadata: Record<string, unknown>, what: string): Promise<void> {
    try {
      await client.dataset(config.dataset).createTable(table, metadata);
    } catch (error) {
      if ((error as { code?: number }).code === 409) return; // created meanwhile by another run: fine
      throw explainBigqueryError(error, what);
    }
  }

  /** The schema fields of an existing table, or undefined when it does not exist (one tables.get). */
  async function existingFields(table: string): Promise<SchemaField[] | undefined> {
    try {
      const [meta] = await client.dataset(config.dataset).table(table).getMetadata();
      return (meta as { schema?: { fields?: SchemaField[] } }).schema?.fields ?? [];
    } catch (error) {
      if ((error as { code?: number }).code === 404) return undefined;
      throw explainBigqueryError(error, `reading table ${config.dataset}.${table}`);
    }
  }

  /**
   * A table created by an older opsctl gets the columns a newer definition adds, as NULLABLE (BigQuery adds columns
   * in place but never a REQUIRED one, and never changes partitioning: those need a new table).
   */
  async function addMissingColumns(def: TableDef, fields: SchemaField[]): Promise<void> {
    const have = new Set(fields.map((f) => f.name));
    const missing = schemaFields(def).filter((f) => !have.has(f.name));
    if (missing.length === 0) return;
    try {
      await client
        .dataset(config.dataset)
        .table(def.name)
        .setMetadata({ schema: { fields: [...fields, ...missing.map((f) => ({ ...f, mode: 'NULLABLE' as const }))] } });
    } catch (error) {
      throw explainBigqueryError(error, `adding columns to ${config.dataset}.${def.name}`);
    }
  }

  async function dropTable(table: string): Promise<void> {
    await client
      .dataset(config.dataset)
      .table(table)
      .delete({ ignoreNotFound: true })
      .catch(() => undefined); // it expires by itself within a day
  }

  return {
    kind: 'bigquery',
    location: `bigquery ${projectId}.${config.dataset} (${config.location})`,
    client,
    ref,

    async query<T = Row>(sql: string, params: unknown[] = [], options: WarehouseJobOptions = {}): Promise<T[]> {
      const s = scope('query', 'the query', options);
      const job = await startQuery(s, sql, params);
      const rows: Row[] = [];
      for await (const page of resultPages(s, job, DEFAULT_BATCH)) rows.push(...page);
      return rows as T[];
    },

    async version() {
      try {
        const [exists] = await client.dataset(config.dataset).exists();
        if (!exists) return `BigQuery (project ${projectId}; dataset ${config.dataset} not created yet)`;
        const [meta] = await client.dataset(config.dataset).getMetadata();
        return `BigQuery (dataset ${config.dataset} in ${String((meta as { location?: string }).location ?? config.location)})`;
      } catch (error) {
        throw explainBigqueryError(error, `reading dataset ${config.dataset}`);
      }
    },

    async ensureTables(defs: TableDef[], options: WarehouseJobOptions = {}) {
      defs.forEach(validateDef);
      const dataset = client.dataset(config.dataset);
      try {
        const [exists] = await dataset.exists();
        if (!exists) {
          await client
            .createDataset(config.dataset, {
              location: config.location,
              labels: labelsFor(config, 'ensure_tables', options.labels),
            })
            .catch((error: { code?: number }) => {
              if (error.code !== 409) throw error;
            });
        }
      } catch (error) {
        throw explainBigqueryError(error, `creating dataset ${config.dataset} in ${config.location}`);
      }
      for (const def of defs) {
        if (options.signal?.aborted)
          throw new CancelledError('creating the warehouse tables was cancelled', {
            hint: 'Re-run it: tables already created are kept.',
          });
        const fields = await existingFields(def.name);
        if (fields) await addMissingColumns(def, fields);
        else await createTable(def.name, tableMetadata(def), `creating table ${config.dataset}.${def.name}`);
      }
    },

    async upsert(def: TableDef, rows: Row[], options: WarehouseJobOptions = {}): Promise<UpsertResult> {
      validateDef(def);
      if (rows.length === 0) return { inserted: 0, updated: 0 };
      const seq = { name: SEQ_COLUMN, type: 'INT64' as const, required: true };
      const fields = schemaFields(def, [seq]);
      // Encode first: a bad value fails the call before any job is sent.
      const ndjson = rows.map((row, i) => ndjsonLine(def.name, fields, row, i, SEQ_COLUMN)).join('\n') + '\n';
      const staging = ref(`${def.name}__staging_${Date.now().toString(36)}${randomBytes(4).toString('hex')}`);
      await createTable(
        staging.tableId,
        {
          schema: { fields },
          expirationTime: String(Date.now() + STAGING_TTL_MS),
          labels: labelsFor(config, 'staging', options.labels),
        },
        `creating the staging table for ${def.name}`,
      );
      try {
        const loaded = await loadNdjson(
          scope('load', `the load job into ${def.name}'s staging table`, options),
          staging,
          fields,
          ndjson,
        );
        if (loaded !== rows.length) {
          throw new OperationFailed(
            `the load job into ${def.name}'s staging table loaded ${loaded} of ${rows.length} rows; nothing was merged`,
            {
              hint: 'Re-run the pipeline; if it repeats, look the load job up in the BigQuery console (label operation=load).',
            },
          );
        }
        const pcol = prunableColumn(def);
        // Encoding has checked these values (a key column: present and a valid time).
        const params = pcol ? pruneRange(rows.map((r) => r[pcol.name])) : [];
        const stats = await runDml(
          scope('merge', `the MERGE into ${def.name}`, options),
          mergeSql(ref(def.name), staging, def, { prune: Boolean(pcol) }),
          params,
        );
        return { inserted: stats.inserted, updated: stats.updated };
      } finally {
        await dropTable(staging.tableId);
      }
    },

    async deleteOlderThan(
      def: TableDef,
      column: string,
      before: Date,
      options: WarehouseJobOptions & { dryRun?: boolean } = {},
    ) {
      const target = ref(def.name);
      const sql = options.dryRun ? countOlderThanSql(target, def, column) : deleteOlderThanSql(target, def, column);
      if (!(await existingFields(def.name))) return 0;
      if (options.dryRun) {
        const s = scope('retention_count', `counting ${def.name} rows older than ${before.toISOString()}`, options);
        const job = await startQuery(s, sql, [before]);
        for await (const page of resultPages(s, job, 1)) return Number(page[0]?.n ?? 0);
        return 0;
      }
      const stats = await runDml(scope('retention', `the retention DELETE on ${def.name}`, options), sql, [before]);
      return stats.deleted;
    },

    async *stream(sql: string, params: unknown[] = [], options: WarehouseJobOptions & { batchSize?: number } = {}) {
      const batchSize = options.batchSize ?? DEFAULT_BATCH;
      if (!Number.isInteger(batchSize) || batchSize < 1)
        throw new UsageError(`batchSize must be a positive integer, not ${batchSize}`);
      const s = scope('stream', 'the streamed query', options);
      const job = await startQuery(s, sql, params);
      yield* resultPages(s, job, batchSize);
    },

    async close() {
      // The client holds no connection to close; its HTTP agent is shared and idle sockets time out.
    },
  };
}
