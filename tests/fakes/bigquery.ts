import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { quotePg } from '../../src/db/identifiers.js';

/**
 * A local fake of the BigQuery REST API v2 for tables and jobs, reached through the client's `apiEndpoint`. It keeps
 * datasets and tables in an in-memory DuckDB (one schema per dataset) and really executes the GoogleSQL opsctl sends
 * (MERGE, DELETE, SELECT, after swapping backtick paths for DuckDB's quoting), so row counts, DML statistics and
 * pages are what the data says, not canned answers. It follows the documented contract:
 *
 * - datasets.get/insert, tables.get/insert/delete (404 `notFound`, 409 `duplicate`), table resources with
 *   `schema.fields` and `timePartitioning`;
 * - jobs.insert for query jobs (`configuration.query`, `configuration.labels`, `dryRun`) answering the job resource
 *   with `status.state` RUNNING; jobs.get answering DONE with `statistics` (query.dmlStats, load.outputRows) or
 *   `status.errorResult`; jobs.cancel;
 * - media upload `POST /upload/bigquery/v2/projects/{p}/jobs?uploadType=multipart` (multipart/related: the job
 *   resource, then newline-delimited JSON) for load jobs, with WRITE_TRUNCATE/WRITE_APPEND and REQUIRED fields;
 * - jobs.getQueryResults (`GET …/queries/{jobId}`) with `maxResults`, `pageToken`, `jobComplete`, `totalRows`,
 *   `schema.fields` and rows as `{ f: [{ v }] }` (INT64 as strings, TIMESTAMP as int64 microseconds when
 *   `formatOptions.useInt64Timestamp` is set, else float seconds); a failed job answers its error;
 * - a query over `maximumBytesBilled` fails with reason `bytesBilledLimitExceeded` and the real message.
 *
 * Every request (method, path, query string, parsed body, upload parts) is recorded for tests to assert what was sent.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: any;
  /** For media uploads: the job resource and the data, as sent. */
  upload?: { resource: any; data: string };
}

/** A positional query parameter as the client sends it. */
interface QueryParameter {
  parameterType?: { type?: string };
  parameterValue?: { value?: string };
}

export interface FakeJobRecord {
  jobId: string;
  type: 'QUERY' | 'LOAD';
  resource: any;
  sql?: string;
  labels: Record<string, string>;
}

export interface BigqueryFake {
  url: string;
  requests: RecordedRequest[];
  jobs: FakeJobRecord[];
  /** Table resources as created (tables.insert bodies, completed). */
  tables: Map<string, any>;
  datasets: Map<string, any>;
  /** Run SQL (DuckDB dialect) on the fake's data, e.g. `SELECT * FROM "ds"."t"`. */
  sql(text: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export interface BigqueryFakeOptions {
  /** Bytes a query job processes (default 0); over the job's maximumBytesBilled it fails like BigQuery. */
  bytesProcessed?: (sql: string) => number;
  /** getQueryResults answers `jobComplete: false` this many times per job before the results. */
  pendingPolls?: number;
  /**
   * Upload failures, one per upload in order: `before` answers 503 without creating the job, `after` creates and runs
   * the job but answers 503 (the answer is lost), so a retry with the same job id meets 409 `duplicate`.
   */
  uploadFailures?: Array<'before' | 'after'>;
}

const MIB = 1024 ** 2;
type Job = FakeJobRecord & {
  state: 'RUNNING' | 'DONE';
  error?: { reason: string; message: string; location?: string };
  statistics: Record<string, unknown>;
  result?: { fields: Array<{ name: string; type: string; mode: string }>; rows: unknown[][] };
  polls: number;
};

const DUCK_TYPE: Record<string, string> = {
  STRING: 'VARCHAR',
  INT64: 'BIGINT',
  INTEGER: 'BIGINT',
  FLOAT64: 'DOUBLE',
  FLOAT: 'DOUBLE',
  BOOL: 'BOOLEAN',
  BOOLEAN: 'BOOLEAN',
  TIMESTAMP: 'TIMESTAMP',
  DATE: 'DATE',
  JSON: 'VARCHAR',
  NUMERIC: 'DOUBLE',
  BYTES: 'BLOB',
};

export async function startBigqueryFake(options: BigqueryFakeOptions = {}): Promise<BigqueryFake> {
  const instance = await DuckDBInstance.create(':memory:');
  const db: DuckDBConnection = await instance.connect();
  const requests: RecordedRequest[] = [];
  const jobs = new Map<string, Job>();
  const datasets = new Map<string, any>();
  const tables = new Map<string, any>();
  const uploadFailures = [...(options.uploadFailures ?? [])];
  let queue = Promise.resolve(); // DuckDB work runs one request at a time, like a single-threaded server

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      queue = queue
        .then(() => handle(req, Buffer.concat(chunks).toString('utf8'), res))
        .catch((error) => {
          send(res, 500, {
            error: {
              code: 500,
              message: String((error as Error).stack ?? error),
              errors: [{ reason: 'backendError' }],
            },
          });
        });
    });
  });

  async function handle(req: http.IncomingMessage, raw: string, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    const query = Object.fromEntries(url.searchParams.entries());
    const method = req.method ?? 'GET';
    const contentType = String(req.headers['content-type'] ?? '');
    const record: RecordedRequest = { method, path, query, body: undefined };
    requests.push(record);

    let m: RegExpExecArray | null;
    if ((m = /^\/upload\/bigquery\/v2\/projects\/([^/]+)\/jobs$/.exec(path)) && method === 'POST') {
      const parts = parseMultipart(raw, contentType);
      if (query.uploadType !== 'multipart' || parts.length !== 2)
        return error(res, 400, 'invalid', 'expected a multipart upload of the job resource and the data');
      const resource = JSON.parse(parts[0]!);
      record.upload = { resource, data: parts[1]! };
      record.body = resource;
      if (resource.jobReference?.jobId && jobs.has(resource.jobReference.jobId)) {
        return error(
          res,
          409,
          'duplicate',
          `Already Exists: Job ${m[1]}:${resource.jobReference.location ?? 'US'}.${resource.jobReference.jobId}`,
        );
      }
      const failure = uploadFailures.shift();
      if (failure === 'before') return error(res, 503, 'backendError', 'Backend error. Job aborted.');
      const answer = await loadJob(m[1]!, resource, parts[1]!);
      if (failure === 'after') return error(res, 503, 'backendError', 'Backend error.');
      return send(res, 200, answer);
    }
    if (!(m = /^\/bigquery\/v2\/projects\/([^/]+)(\/.*)?$/.exec(path)))
      return error(res, 404, 'notFound', `Not found: ${method} ${path}`);
    const project = m[1]!;
    const rest = m[2] ?? '';
    const body = raw ? JSON.parse(raw) : undefined;
    record.body = body;

    if (rest === '/datasets' && method === 'POST') {
      const id = body.datasetReference?.datasetId;
      if (datasets.has(id)) return error(res, 409, 'duplicate', `Already Exists: Dataset ${project}:${id}`);
      const resource = { kind: 'bigquery#dataset', id: `${project}:${id}`, ...body, location: body.location ?? 'US' };
      datasets.set(id, resource);
      await db.run(`CREATE SCHEMA ${q(id)}`);
      return send(res, 200, resource);
    }
    if ((m = /^\/datasets\/([^/]+)$/.exec(rest)) && method === 'GET') {
      const ds = datasets.get(m[1]!);
      return ds ? send(res, 200, ds) : error(res, 404, 'notFound', `Not found: Dataset ${project}:${m[1]}`);
    }
    if ((m = /^\/datasets\/([^/]+)\/tables$/.exec(rest)) && method === 'POST') {
      const ds = m[1]!;
      if (!datasets.has(ds)) return error(res, 404, 'notFound', `Not found: Dataset ${project}:${ds}`);
      const id = body.tableReference?.tableId;
      const key = `${ds}.${id}`;
      if (tables.has(key)) return error(res, 409, 'duplicate', `Already Exists: Table ${project}:${key}`);
      const fields = (body.schema?.fields ?? []) as Array<{ name: string; type: string; mode?: string }>;
      if (
        body.timePartitioning?.field &&
        !fields.some((f) => f.name === body.timePartitioning.field && ['TIMESTAMP', 'DATE'].includes(f.type))
      ) {
        return error(
          res,
          400,
          'invalid',
          `The field specified for time partitioning can only be of type TIMESTAMP, DATE or DATETIME. The type found is: ${fields.find((f) => f.name === body.timePartitioning.field)?.type ?? 'missing'}.`,
        );
      }
      await db.run(
        `CREATE TABLE ${q(ds)}.${q(id)} (${fields.map((f) => `${q(f.name)} ${DUCK_TYPE[f.type] ?? 'VARCHAR'}${f.mode === 'REQUIRED' ? ' NOT NULL' : ''}`).join(', ')})`,
      );
      const resource = {
        kind: 'bigquery#table',
        id: `${project}:${key}`,
        type: 'TABLE',
        creationTime: String(Date.now()),
        ...body,
      };
      tables.set(key, resource);
      return send(res, 200, resource);
    }
    if ((m = /^\/datasets\/([^/]+)\/tables\/([^/]+)$/.exec(rest))) {
      const key = `${m[1]}.${m[2]}`;
      const table = tables.get(key);
      if (!table) return error(res, 404, 'notFound', `Not found: Table ${project}:${key}`);
      if (method === 'GET') return send(res, 200, { ...table, numRows: String(await count(m[1]!, m[2]!)) });
      if (method === 'PATCH' || method === 'PUT') {
        const have = new Map(
          (table.schema.fields as Array<{ name: string; type: string; mode?: string }>).map((f) => [f.name, f]),
        );
        const next = (body.schema?.fields ?? []) as Array<{ name: string; type: string; mode?: string }>;
        for (const f of have.values()) {
          if (!next.some((n) => n.name === f.name))
            return error(
              res,
              400,
              'invalid',
              `Provided Schema does not match Table ${project}:${key}. Cannot add fields (field: ${f.name})`,
            );
        }
        for (const f of next.filter((n) => !have.has(n.name))) {
          if (f.mode === 'REQUIRED')
            return error(
              res,
              400,
              'invalid',
              `Provided Schema does not match Table ${project}:${key}. Cannot add required fields to an existing schema. (field: ${f.name})`,
            );
          await db.run(`ALTER TABLE ${q(m[1]!)}.${q(m[2]!)} ADD COLUMN ${q(f.name)} ${DUCK_TYPE[f.type] ?? 'VARCHAR'}`);
        }
        const updated = { ...table, ...body, schema: { fields: next } };
        tables.set(key, updated);
        return send(res, 200, updated);
      }
      if (method === 'DELETE') {
        tables.delete(key);
        await db.run(`DROP TABLE ${q(m[1]!)}.${q(m[2]!)}`);
        res.writeHead(204).end();
        return;
      }
    }
    if (rest === '/jobs' && method === 'POST') {
      if (!body.configuration?.query)
        return error(res, 400, 'invalid', 'the fake runs query jobs here; load jobs come as uploads');
      try {
        return send(res, 200, await queryJob(project, body));
      } catch (e) {
        if (e instanceof HttpError) return error(res, e.status, e.reason, e.message);
        throw e;
      }
    }
    if ((m = /^\/jobs\/([^/]+)$/.exec(rest)) && method === 'GET') {
      const job = jobs.get(m[1]!);
      return job
        ? send(res, 200, jobResource(job, 'DONE'))
        : error(res, 404, 'notFound', `Not found: Job ${project}:${m[1]}`);
    }
    if ((m = /^\/jobs\/([^/]+)\/cancel$/.exec(rest)) && method === 'POST') {
      const job = jobs.get(m[1]!);
      return job
        ? send(res, 200, { kind: 'bigquery#jobCancelResponse', job: jobResource(job, 'DONE') })
        : error(res, 404, 'notFound', `Not found: Job ${m[1]}`);
    }
    if ((m = /^\/queries\/([^/]+)$/.exec(rest)) && method === 'GET') {
      const job = jobs.get(m[1]!);
      if (!job) return error(res, 404, 'notFound', `Not found: Job ${project}:${m[1]}`);
      if (job.polls < (options.pendingPolls ?? 0)) {
        job.polls += 1;
        return send(res, 200, {
          kind: 'bigquery#getQueryResultsResponse',
          jobReference: job.resource.jobReference,
          jobComplete: false,
        });
      }
      if (job.error) return error(res, 400, job.error.reason, job.error.message);
      const result = job.result ?? { fields: [], rows: [] };
      const offset = query.pageToken ? Number(Buffer.from(query.pageToken, 'base64url').toString()) : 0;
      const max = query.maxResults !== undefined ? Number(query.maxResults) : 100_000;
      const page = result.rows.slice(offset, offset + max);
      const next = offset + page.length;
      const micros = query['formatOptions.useInt64Timestamp'] === 'true';
      return send(res, 200, {
        kind: 'bigquery#getQueryResultsResponse',
        etag: `"${job.jobId}-${offset}"`,
        jobReference: job.resource.jobReference,
        schema: { fields: result.fields },
        totalRows: String(result.rows.length),
        ...(page.length
          ? { rows: page.map((r) => ({ f: r.map((v, i) => ({ v: encode(v, result.fields[i]!.type, micros) })) })) }
          : {}),
        ...(next < result.rows.length && max > 0 ? { pageToken: Buffer.from(String(next)).toString('base64url') } : {}),
        totalBytesProcessed: String(
          (job.statistics.query as { totalBytesProcessed?: string })?.totalBytesProcessed ?? '0',
        ),
        jobComplete: true,
        cacheHit: false,
        ...(job.statistics.query &&
        (job.statistics.query as { numDmlAffectedRows?: string }).numDmlAffectedRows !== undefined
          ? { numDmlAffectedRows: (job.statistics.query as { numDmlAffectedRows?: string }).numDmlAffectedRows }
          : {}),
      });
    }
    return error(res, 404, 'notFound', `Not found: ${method} ${path}`);
  }

  function newJob(project: string, body: any, type: 'QUERY' | 'LOAD'): Job {
    const jobId: string = body.jobReference?.jobId ?? `fake_${jobs.size + 1}`;
    const resource = {
      ...body,
      jobReference: { projectId: project, jobId, location: body.jobReference?.location ?? 'US' },
    };
    const job: Job = {
      jobId,
      type,
      resource,
      labels: body.configuration?.labels ?? {},
      state: 'RUNNING',
      statistics: { creationTime: String(Date.now()) },
      polls: 0,
    };
    return job;
  }

  function jobResource(job: Job, state: 'RUNNING' | 'DONE') {
    return {
      kind: 'bigquery#job',
      id: `${job.resource.jobReference.projectId}:${job.resource.jobReference.location}.${job.jobId}`,
      jobReference: job.resource.jobReference,
      configuration: { ...job.resource.configuration, jobType: job.type },
      status:
        state === 'DONE' ? { state, ...(job.error ? { errorResult: job.error, errors: [job.error] } : {}) } : { state },
      statistics: job.statistics,
    };
  }

  async function queryJob(project: string, body: any) {
    const job = newJob(project, body, 'QUERY');
    const config = body.configuration.query;
    job.sql = String(config.query);
    const dryRun = Boolean(body.configuration.dryRun);
    const bytes = options.bytesProcessed?.(job.sql) ?? 0;
    const billed = bytes === 0 ? 0 : Math.max(10 * MIB, Math.ceil(bytes / MIB) * MIB);
    const statementType = /^\s*(MERGE|DELETE|INSERT|UPDATE)/i.exec(job.sql)?.[1]?.toUpperCase() ?? 'SELECT';
    job.statistics.query = {
      totalBytesProcessed: String(bytes),
      totalBytesBilled: String(dryRun ? 0 : billed),
      statementType,
    };
    job.statistics.totalBytesProcessed = String(bytes);
    if (config.useLegacySql !== false) {
      job.error = { reason: 'invalidQuery', message: 'opsctl must send standard SQL (useLegacySql: false)' };
    } else if (dryRun) {
      try {
        const params = (config.queryParameters ?? []) as Array<{ parameterValue?: { value?: string } }>;
        await db.run(
          `EXPLAIN ${translate(job.sql, params)}`,
          params.map((p) => p.parameterValue?.value ?? null),
        );
      } catch (e) {
        return dryRunError(e);
      }
      return { ...jobResource(job, 'DONE'), status: { state: 'DONE' } };
    } else if (config.maximumBytesBilled !== undefined && billed > Number(config.maximumBytesBilled)) {
      job.error = {
        reason: 'bytesBilledLimitExceeded',
        message: `Query exceeded limit for bytes billed: ${config.maximumBytesBilled}. ${billed} or higher required.`,
      };
    } else {
      try {
        const ds = config.defaultDataset?.datasetId;
        await db.run(`SET search_path = '${ds && datasets.has(ds) ? ds.replace(/'/g, "''") : 'main'}'`);
        await execute(job, job.sql, config.queryParameters ?? [], statementType);
      } catch (e) {
        job.error = {
          reason: /does not exist|not found/i.test((e as Error).message) ? 'notFound' : 'invalidQuery',
          message: (e as Error).message,
        };
      }
    }
    jobs.set(job.jobId, job);
    return jobResource(job, 'RUNNING');
  }

  function dryRunError(e: unknown): never {
    const message = (e as Error).message;
    throw new HttpError(
      /does not exist/i.test(message) ? 404 : 400,
      /does not exist/i.test(message) ? 'notFound' : 'invalidQuery',
      message,
    );
  }

  async function execute(job: Job, sql: string, params: QueryParameter[], statementType: string): Promise<void> {
    const text = translate(sql, params);
    const values = params.map((p) => (p.parameterValue?.value === undefined ? null : p.parameterValue.value));
    if (statementType === 'MERGE') {
      const reader = await db.runAndReadAll(`${text} RETURNING merge_action`, values);
      const actions = reader.getRows().map((r) => r[0]);
      const inserted = actions.filter((a) => a === 'INSERT').length;
      const updated = actions.filter((a) => a === 'UPDATE').length;
      const deleted = actions.filter((a) => a === 'DELETE').length;
      Object.assign(job.statistics.query as object, {
        numDmlAffectedRows: String(actions.length),
        dmlStats: {
          insertedRowCount: String(inserted),
          updatedRowCount: String(updated),
          deletedRowCount: String(deleted),
        },
      });
      return;
    }
    if (statementType !== 'SELECT') {
      const reader = await db.runAndReadAll(text, values);
      const n = Number(reader.rowsChanged);
      Object.assign(job.statistics.query as object, {
        numDmlAffectedRows: String(n),
        dmlStats: {
          insertedRowCount: statementType === 'INSERT' ? String(n) : '0',
          updatedRowCount: statementType === 'UPDATE' ? String(n) : '0',
          deletedRowCount: statementType === 'DELETE' ? String(n) : '0',
        },
      });
      return;
    }
    const reader = await db.runAndReadAll(text, values);
    const types = reader.columnTypes().map((t) => bqType(String(t)));
    job.result = {
      fields: reader.columnNames().map((name, i) => ({ name, type: types[i]!, mode: 'NULLABLE' })),
      rows: reader.getRowsJS(),
    };
  }

  async function loadJob(project: string, resource: any, data: string) {
    const job = newJob(project, resource, 'LOAD');
    jobs.set(job.jobId, job);
    const load = resource.configuration?.load ?? {};
    const dest = load.destinationTable ?? {};
    const key = `${dest.datasetId}.${dest.tableId}`;
    const table = tables.get(key);
    const fail = (reason: string, message: string) => {
      job.error = { reason, message };
      return jobResource(job, 'RUNNING');
    };
    if (load.sourceFormat !== 'NEWLINE_DELIMITED_JSON')
      return fail('invalid', `the fake loads NEWLINE_DELIMITED_JSON, not ${load.sourceFormat}`);
    if (!table) return fail('notFound', `Not found: Table ${project}:${key}`);
    const fields = table.schema.fields as Array<{ name: string; type: string; mode?: string }>;
    const names = new Set(fields.map((f) => f.name));
    const lines = data.split('\n').filter((l) => l.trim() !== '');
    const rows: unknown[][] = [];
    for (const [i, line] of lines.entries()) {
      const obj = JSON.parse(line) as Record<string, unknown>;
      const unknown = Object.keys(obj).find((k) => !names.has(k));
      if (unknown && !load.ignoreUnknownValues)
        return fail(
          'invalid',
          `Error while reading data, error message: JSON table encountered too many errors, giving up. Rows: ${i + 1}; errors: 1. No such field: ${unknown}.`,
        );
      const missing = fields.find((f) => f.mode === 'REQUIRED' && (obj[f.name] === undefined || obj[f.name] === null));
      if (missing)
        return fail(
          'invalid',
          `Error while reading data, error message: JSON parsing error in row starting at position 0: Missing required field: ${missing.name}.`,
        );
      rows.push(
        fields.map((f) => {
          const v = obj[f.name];
          if (v === undefined || v === null) return null;
          return f.type === 'JSON' || typeof v === 'object' ? JSON.stringify(v) : String(v);
        }),
      );
    }
    const target = `${q(dest.datasetId)}.${q(dest.tableId)}`;
    try {
      await db.run('BEGIN TRANSACTION');
      if (load.writeDisposition === 'WRITE_TRUNCATE') await db.run(`DELETE FROM ${target}`);
      // Rows arrive as text: append them to a VARCHAR scratch table (DuckDB's appender), then cast into the table.
      await db.run(`CREATE OR REPLACE TABLE main._fake_load (${fields.map((f) => `${q(f.name)} VARCHAR`).join(', ')})`);
      const appender = await db.createAppender('_fake_load', 'main');
      for (const row of rows) {
        for (const v of row) {
          if (v === null) appender.appendNull();
          else appender.appendVarchar(v as string);
        }
        appender.endRow();
      }
      appender.closeSync();
      await db.run(
        `INSERT INTO ${target} SELECT ${fields.map((f) => `CAST(${q(f.name)} AS ${DUCK_TYPE[f.type] ?? 'VARCHAR'})`).join(', ')} FROM main._fake_load`,
      );
      await db.run('DROP TABLE main._fake_load');
      await db.run('COMMIT');
    } catch (e) {
      await db.run('ROLLBACK').catch(() => undefined);
      return fail('invalid', (e as Error).message);
    }
    job.statistics.load = {
      inputFiles: '1',
      inputFileBytes: String(Buffer.byteLength(data)),
      outputRows: String(rows.length),
      outputBytes: String(Buffer.byteLength(data)),
    };
    return jobResource(job, 'RUNNING');
  }

  async function count(ds: string, t: string): Promise<number> {
    const reader = await db.runAndReadAll(`SELECT count(*) FROM ${q(ds)}.${q(t)}`);
    return Number(reader.getRows()[0]![0]);
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get jobs() {
      return [...jobs.values()].map(({ jobId, type, resource, sql, labels }) => ({
        jobId,
        type,
        resource,
        sql,
        labels,
      }));
    },
    tables,
    datasets,
    async sql(text) {
      const reader = await db.runAndReadAll(text);
      return reader.getRowObjectsJS();
    },
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      db.closeSync();
      instance.closeSync();
    },
  };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** The fake keeps BigQuery's datasets and tables in DuckDB, which quotes by PostgreSQL's rule. */
const q = (name: string): string => quotePg(String(name));

/** GoogleSQL → DuckDB for opsctl's statements: backtick paths, DATE(x), and typed positional parameters. */
function translate(sql: string, params: QueryParameter[]): string {
  let i = 0;
  return (
    sql
      // A path quoted part by part (`p`.`d`.`t`, BigQuery's escapes inside) or whole (`p.d.t`); the project is dropped.
      .replace(/`(?:[^`\\]|\\.)+`(?:\.`(?:[^`\\]|\\.)+`)*/g, (path: string) => {
        const quoted = path.match(/`(?:[^`\\]|\\.)+`/g)!.map((p) => p.slice(1, -1).replace(/\\(.)/g, '$1'));
        const parts = quoted.length === 1 ? quoted[0]!.split('.') : quoted;
        return (parts.length === 3 ? parts.slice(1) : parts).map(q).join('.');
      })
      .replace(/\bDATE\(\?\)/g, 'CAST(CAST(? AS TIMESTAMP) AS DATE)')
      .replace(/\bTO_JSON_STRING\(/g, 'to_json(')
      .replace(/\?/g, () => {
        const type = params[i++]?.parameterType?.type ?? 'STRING';
        return `CAST(? AS ${DUCK_TYPE[type] ?? 'VARCHAR'})`;
      })
  );
}

function bqType(duck: string): string {
  if (/INT/.test(duck)) return 'INTEGER';
  if (/DOUBLE|FLOAT|DECIMAL/.test(duck)) return 'FLOAT';
  if (duck === 'BOOLEAN') return 'BOOLEAN';
  if (duck.startsWith('TIMESTAMP')) return 'TIMESTAMP';
  if (duck === 'DATE') return 'DATE';
  return 'STRING';
}

function encode(v: unknown, type: string, micros: boolean): string | null {
  if (v === null || v === undefined) return null;
  if (type === 'TIMESTAMP') {
    const ms = (v as Date).getTime();
    return micros ? (BigInt(ms) * 1000n).toString() : String(ms / 1000);
  }
  if (type === 'DATE') return v instanceof Date ? v.toISOString().slice(0, 10) : String(v);
  return String(v);
}

function parseMultipart(raw: string, contentType: string): string[] {
  const boundary = /boundary=("?)([^";]+)\1/.exec(contentType)?.[2];
  if (!/^multipart\/related/.test(contentType) || !boundary) return [];
  return raw
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((part) => {
      const at = part.indexOf('\r\n\r\n');
      return part.slice(at + 4).replace(/\r\n$/, '');
    });
}

function send(res: http.ServerResponse, status: number, doc: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(doc));
}

function error(res: http.ServerResponse, status: number, reason: string, message: string): void {
  send(res, status, {
    error: {
      code: status,
      message,
      errors: [{ message, domain: 'global', reason }],
      status: status === 404 ? 'NOT_FOUND' : status === 409 ? 'ALREADY_EXISTS' : 'INVALID_ARGUMENT',
    },
  });
}
