import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  BigQuery,
  BigQueryDate,
  BigQueryDatetime,
  BigQueryTime,
  BigQueryTimestamp,
  type Job,
  type Query,
} from '@google-cloud/bigquery';
import { CancelledError, UsageError } from '../../errors.js';
import { sleep } from '../../util/sleep.js';
import { bindParams, explainBigqueryError, guardedQuery, labelValue, type BigqueryConfig } from '../bigquery-client.js';
import type { Row } from '../warehouse.js';
import type { SchemaField, TableRef } from './sql.js';

/** What every job of one warehouse call carries: the client, the config (cap, location) and its labels. */
export interface JobScope {
  client: BigQuery;
  config: BigqueryConfig;
  labels: Record<string, string>;
  signal?: AbortSignal;
  /** Named in errors: "the MERGE into tracks". */
  what: string;
}

/** app=opsctl, the config's labels, operation=<method>, then the caller's (pipeline=…, run=…); values made label-safe. */
export function labelsFor(
  config: BigqueryConfig,
  operation: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  const labels: Record<string, string> = { ...config.labels, operation: labelValue(operation) };
  for (const [k, v] of Object.entries(extra)) {
    const key = labelValue(k).replace(/^[^a-z]+/, '');
    if (key) labels[key] = labelValue(v);
  }
  labels.app = 'opsctl';
  return labels;
}

function cancelled(scope: JobScope): CancelledError {
  return new CancelledError(`${scope.what} was cancelled`, { hint: 'Nothing was merged by this call; re-run it.' });
}

/** Starts a query job with the guard (labels, maximumBytesBilled, location) and bound parameters. */
export async function startQuery(
  scope: JobScope,
  sql: string,
  params: unknown[] = [],
  extra: Partial<Query> = {},
): Promise<Job> {
  if (scope.signal?.aborted) throw cancelled(scope);
  try {
    const [job] = await scope.client.createQueryJob({
      ...guardedQuery(scope.config, sql),
      labels: scope.labels,
      ...bindParams(params),
      // Unqualified table names resolve in the configured dataset, as they do in DuckDB's schema.
      defaultDataset: { projectId: scope.config.projectId, datasetId: scope.config.dataset },
      jobPrefix: 'opsctl_',
      ...extra,
    });
    return job;
  } catch (error) {
    throw explainBigqueryError(error, scope.what);
  }
}

interface ResultsPage {
  rows: Row[];
  jobComplete: boolean;
  pageToken?: string;
  totalRows?: string;
}

/** One jobs.getQueryResults call (`maxResults` rows from `pageToken`); BigQuery long-polls while the job runs. */
async function resultsPage(
  scope: JobScope,
  job: Job,
  maxResults: number,
  pageToken: string | undefined,
): Promise<ResultsPage> {
  if (scope.signal?.aborted) {
    await job.cancel().catch(() => undefined);
    throw cancelled(scope);
  }
  try {
    const [rows, , response] = await job.getQueryResults({
      autoPaginate: false,
      maxResults,
      ...(pageToken ? { pageToken } : {}),
      wrapIntegers: { integerTypeCastFunction: castInteger },
    });
    const r = (response ?? {}) as { jobComplete?: boolean; pageToken?: string; totalRows?: string };
    return {
      rows: (rows as Row[]).map(plainRow),
      jobComplete: r.jobComplete !== false,
      pageToken: r.pageToken,
      totalRows: r.totalRows,
    };
  } catch (error) {
    throw explainBigqueryError(error, scope.what);
  }
}

/** The rows of a query job, page by page (each page at most `batchSize` rows), waiting while it runs. */
export async function* resultPages(scope: JobScope, job: Job, batchSize: number): AsyncGenerator<Row[]> {
  let pageToken: string | undefined;
  for (;;) {
    const page = await resultsPage(scope, job, batchSize, pageToken);
    if (!page.jobComplete) continue;
    if (page.rows.length) yield page.rows;
    if (!page.pageToken) return;
    pageToken = page.pageToken;
  }
}

export interface DmlStats {
  inserted: number;
  updated: number;
  deleted: number;
  bytesBilled: number;
}

/** Runs a DML statement to completion and reads its statistics (dmlStats, or numDmlAffectedRows for older answers). */
export async function runDml(scope: JobScope, sql: string, params: unknown[] = []): Promise<DmlStats> {
  const job = await startQuery(scope, sql, params);
  while (!(await resultsPage(scope, job, 0, undefined)).jobComplete);
  let metadata;
  try {
    [metadata] = await job.getMetadata();
  } catch (error) {
    throw explainBigqueryError(error, scope.what);
  }
  const q = (metadata as JobResource).statistics?.query ?? {};
  const dml = q.dmlStats ?? {};
  const affected = Number(q.numDmlAffectedRows ?? 0);
  return {
    inserted: Number(dml.insertedRowCount ?? 0),
    updated: Number(dml.updatedRowCount ?? 0),
    deleted: Number(dml.deletedRowCount ?? (q.dmlStats ? 0 : affected)),
    bytesBilled: Number(q.totalBytesBilled ?? 0),
  };
}

interface JobResource {
  jobReference?: { jobId?: string; location?: string };
  status?: {
    state?: string;
    errorResult?: { reason?: string; message?: string };
    errors?: Array<{ reason?: string; message?: string }>;
  };
  statistics?: {
    query?: {
      dmlStats?: { insertedRowCount?: string; updatedRowCount?: string; deletedRowCount?: string };
      numDmlAffectedRows?: string;
      totalBytesBilled?: string;
    };
    load?: { outputRows?: string };
  };
}

/**
 * A load job (free, unlike streaming inserts) of newline-delimited JSON into `destination`, uploaded as the
 * client's own `createWriteStream` does (a multipart POST to `upload/bigquery/v2/projects/{p}/jobs`), but with the
 * job resource written here so the job carries its labels (`configuration.labels`, which `createLoadJob`'s
 * metadata cannot reach). Waits until BigQuery reports the job DONE.
 */
export async function loadNdjson(
  scope: JobScope,
  destination: TableRef,
  fields: SchemaField[],
  ndjson: string,
): Promise<number> {
  if (scope.signal?.aborted) throw cancelled(scope);
  const { client, config } = scope;
  const jobId = `opsctl_load_${randomUUID().replace(/-/g, '')}`;
  const resource = {
    jobReference: { projectId: destination.projectId, jobId, location: config.location },
    configuration: {
      labels: scope.labels,
      load: {
        destinationTable: destination,
        sourceFormat: 'NEWLINE_DELIMITED_JSON',
        schema: { fields },
        writeDisposition: 'WRITE_TRUNCATE',
        createDisposition: 'CREATE_NEVER',
        maxBadRecords: 0,
        ignoreUnknownValues: false,
      },
    },
  };
  const upload = () =>
    new Promise<JobResource>((resolve, reject) => {
      client.request(
        {
          method: 'POST',
          uri: `${client.apiEndpoint}/upload/bigquery/v2/projects/${destination.projectId}/jobs`,
          qs: { uploadType: 'multipart' },
          // teeny-request ends a multipart body only after a stream part: the data goes as a stream.
          multipart: [
            { 'Content-Type': 'application/json', body: JSON.stringify(resource) },
            { 'Content-Type': 'application/octet-stream', body: Readable.from([ndjson]) },
          ],
          // A consumed stream cannot be replayed by the client's retry: retries below send a fresh one.
          maxRetries: 0,
        } as never,
        (error: Error | null, body?: unknown) => (error ? reject(error) : resolve(body as JobResource)),
      );
    });
  let job: JobResource = { jobReference: resource.jobReference, status: { state: 'PENDING' } };
  for (let attempt = 1; ; attempt++) {
    try {
      job = await upload();
      break;
    } catch (error) {
      const code = (error as { code?: number | string }).code;
      // 409: an earlier attempt did create the job (its answer was lost); wait for that one.
      if (code === 409 && attempt > 1) break;
      const transient =
        RETRYABLE.has(Number(code)) || /^E(CONNRESET|CONNREFUSED|TIMEDOUT|PIPE|AI_AGAIN)$/.test(String(code));
      if (attempt > UPLOAD_RETRIES || !transient) throw explainBigqueryError(error, scope.what);
      await sleep(UPLOAD_BACKOFF_MS * 2 ** (attempt - 1) * (0.5 + Math.random() / 2), scope.signal, () =>
        cancelled(scope),
      );
    }
  }
  const done = await waitForJob(
    scope,
    client.job(jobId, { location: job.jobReference?.location ?? config.location }),
    job,
  );
  return Number(done.statistics?.load?.outputRows ?? 0);
}

/** Transient answers a load upload is retried on (with the same job id, so a retry never loads twice). */
const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);
const UPLOAD_RETRIES = 3;
const UPLOAD_BACKOFF_MS = 500;

/** Polls jobs.get (200 ms, doubling to 2 s) until DONE; a job that ended with errorResult throws its reasons. */
async function waitForJob(scope: JobScope, job: Job, first: JobResource): Promise<JobResource> {
  let metadata = first;
  let delay = 200;
  for (;;) {
    if (metadata.status?.state === 'DONE') {
      const e = metadata.status.errorResult;
      if (e) {
        const errors = metadata.status.errors?.length ? metadata.status.errors : [e];
        throw explainBigqueryError({ code: 400, message: e.message, errors }, scope.what);
      }
      return metadata;
    }
    // A cancelled run cancels its job too: BigQuery would otherwise run (and bill) it to the end.
    await sleep(delay, scope.signal).catch(async () => {
      await job.cancel().catch(() => undefined);
      throw cancelled(scope);
    });
    delay = Math.min(delay * 2, 2000);
    try {
      [metadata] = (await job.getMetadata()) as unknown as [JobResource];
    } catch (error) {
      throw explainBigqueryError(error, scope.what);
    }
  }
}

function castInteger(value: string): number | bigint {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : BigInt(value);
}

/** The client's typed values as plain ones: TIMESTAMP → Date, DATE/DATETIME/TIME → their string, NUMERIC → number. */
function plainRow(row: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) out[k] = plainValue(v);
  return out;
}

function plainValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof BigQueryTimestamp) return new Date(v.value);
  if (v instanceof BigQueryDate || v instanceof BigQueryDatetime || v instanceof BigQueryTime) return v.value;
  if (Array.isArray(v)) return v.map(plainValue);
  if (typeof v === 'object' && v.constructor?.name === 'Big') return Number(String(v));
  return v;
}

/** One row as a line of newline-delimited JSON for a load job, its values checked against the schema. */
export function ndjsonLine(table: string, fields: SchemaField[], row: Row, seq: number, seqColumn: string): string {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.name === seqColumn) {
      out[f.name] = seq;
      continue;
    }
    const value = loadValue(table, f, row[f.name]);
    if (value === null && f.mode === 'REQUIRED') {
      throw new UsageError(`${table}.${f.name} is required but a row has no value`, {
        hint: 'Rows that fail their model are quarantined before loading; this is a bug in the transform.',
      });
    }
    if (value !== null) out[f.name] = value;
  }
  return JSON.stringify(out);
}

function loadValue(table: string, f: SchemaField, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const bad = (): never => {
    throw new UsageError(`${table}.${f.name}: ${JSON.stringify(value)?.slice(0, 80)} is not a ${f.type}`, {
      hint: 'The transform must produce values of the column types in the table definition.',
    });
  };
  switch (f.type) {
    case 'TIMESTAMP':
    case 'DATE': {
      const date =
        value instanceof Date
          ? value
          : typeof value === 'string' || typeof value === 'number'
            ? new Date(/^\d{4}-\d{2}-\d{2}$/.test(String(value)) ? `${value}T00:00:00Z` : value)
            : null;
      if (!date || Number.isNaN(date.getTime())) return bad();
      return f.type === 'DATE' ? date.toISOString().slice(0, 10) : date.toISOString();
    }
    case 'INT64':
      if (typeof value === 'bigint') return value.toString();
      if (
        (typeof value === 'number' && Number.isInteger(value)) ||
        (typeof value === 'string' && /^-?\d+$/.test(value))
      )
        return value;
      return bad();
    case 'FLOAT64':
      if (typeof value === 'number') return value;
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
      return bad();
    case 'BOOL':
      if (typeof value === 'boolean') return value;
      return value === 'true' ? true : value === 'false' ? false : bad();
    case 'JSON':
      // A JSON column takes the value itself; a string holding JSON (how the transform hands lists over) is parsed.
      if (typeof value !== 'string') return value;
      try {
        return JSON.parse(value) as unknown;
      } catch {
        return value;
      }
    default:
      return typeof value === 'string'
        ? value
        : typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint'
          ? String(value)
          : bad();
  }
}
