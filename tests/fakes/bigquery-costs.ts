import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local fake of the BigQuery REST API v2 for the cost report, reached through the client's `apiEndpoint`: jobs.query
 * (POST /bigquery/v2/projects/{p}/queries) answering opsctl's INFORMATION_SCHEMA queries from a fixture of jobs and
 * table storage, and jobs.insert (POST …/jobs) for dry runs. It follows the documented contract: f/v rows with a schema,
 * INT64 values as strings, query parameters in `queryParameters`, and a query over `maximumBytesBilled` refused with a
 * 400 whose reason is `bytesBilledLimitExceeded`. Every request body is recorded for the tests to inspect.
 */
export interface FakeJob {
  jobId: string;
  user: string;
  /** ISO timestamp, UTC. */
  createdAt: string;
  bytesBilled: number;
  bytesProcessed: number;
  cacheHit?: boolean;
  labels?: Record<string, string>;
  query: string;
  jobType?: 'QUERY' | 'LOAD';
}

export interface FakeStorage {
  dataset: string;
  table: string;
  activeBytes: number;
  longTermBytes: number;
}

export interface BigqueryCostsFake {
  url: string;
  requests: Array<{ method: string; path: string; body: any }>;
  close(): Promise<void>;
}

const MIB = 1024 ** 2;

export async function startBigqueryCostsFake(fixture: {
  jobs: FakeJob[];
  storage: FakeStorage[];
  /** Bytes a dry run reports for a query (default 0). */
  dryRunBytes?: (sql: string) => number;
  /** Bytes an INFORMATION_SCHEMA query bills (BigQuery's minimum is 10 MiB). */
  informationSchemaBytes?: number;
}): Promise<BigqueryCostsFake> {
  const requests: BigqueryCostsFake['requests'] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = raw ? JSON.parse(raw) : undefined;
      const path = (req.url ?? '').split('?')[0]!;
      requests.push({ method: req.method ?? '', path, body });
      const send = (status: number, doc: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(doc));
      };
      const project = /\/bigquery\/v2\/projects\/([^/]+)\//.exec(path)?.[1] ?? 'p';
      if (req.method === 'POST' && path.endsWith('/queries')) {
        const billed = fixture.informationSchemaBytes ?? 10 * MIB;
        if (body.maximumBytesBilled !== undefined && Number(body.maximumBytesBilled) < billed) {
          const message = `Query exceeded limit for bytes billed: ${body.maximumBytesBilled}. ${billed} or higher required.`;
          send(400, {
            error: {
              code: 400,
              message,
              errors: [{ message, domain: 'global', reason: 'bytesBilledLimitExceeded' }],
              status: 'INVALID_ARGUMENT',
            },
          });
          return;
        }
        const params = Object.fromEntries(
          ((body.queryParameters ?? []) as Array<{ name: string; parameterValue: { value: string } }>).map((p) => [
            p.name,
            p.parameterValue.value,
          ]),
        );
        const answer = answerQuery(String(body.query), params, fixture);
        if (!answer) {
          send(400, {
            error: {
              code: 400,
              message: "Unrecognized name: the fake knows only opsctl's cost queries",
              errors: [{ reason: 'invalidQuery' }],
            },
          });
          return;
        }
        send(200, {
          kind: 'bigquery#queryResponse',
          jobReference: { projectId: project, jobId: `fake_${requests.length}`, location: body.location ?? 'US' },
          schema: { fields: answer.fields.map(([name, type]) => ({ name, type, mode: 'NULLABLE' })) },
          rows: answer.rows.map((r) => ({ f: r.map((v) => ({ v: v === null ? null : String(v) })) })),
          totalRows: String(answer.rows.length),
          jobComplete: true,
          totalBytesProcessed: String(billed),
          cacheHit: false,
        });
        return;
      }
      if (req.method === 'POST' && path.endsWith('/jobs')) {
        const query = body.configuration?.query;
        if (!body.configuration?.dryRun && !query?.dryRun) {
          send(400, { error: { code: 400, message: 'the fake only dry-runs jobs', errors: [{ reason: 'invalid' }] } });
          return;
        }
        const bytes = fixture.dryRunBytes?.(String(query?.query ?? '')) ?? 0;
        send(200, {
          kind: 'bigquery#job',
          jobReference: { projectId: project, location: body.jobReference?.location ?? 'US' },
          configuration: body.configuration,
          status: { state: 'DONE' },
          statistics: {
            totalBytesProcessed: String(bytes),
            query: {
              totalBytesProcessed: String(bytes),
              totalBytesProcessedAccuracy: 'PRECISE',
              statementType: 'SELECT',
            },
          },
        });
        return;
      }
      send(404, {
        error: { code: 404, message: `Not found: ${req.method} ${path}`, errors: [{ reason: 'notFound' }] },
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

type Answer = { fields: Array<[string, string]>; rows: Array<Array<string | number | null>> };

/** INFORMATION_SCHEMA, as far as opsctl's queries go: recognised by their `-- opsctl:<name>` comment. */
function answerQuery(
  sql: string,
  params: Record<string, string>,
  fixture: { jobs: FakeJob[]; storage: FakeStorage[] },
): Answer | undefined {
  const name = /^-- opsctl:(\S+)/.exec(sql)?.[1];
  const since = params.since ?? params.shown_since ?? '0000-00-00';
  const jobs = fixture.jobs.filter((j) => (j.jobType ?? 'QUERY') === 'QUERY' && j.createdAt >= since);
  const sumBy = (key: (j: FakeJob) => string[]) => {
    const m = new Map<string, { billed: number; jobs: number }>();
    for (const j of jobs)
      for (const k of key(j)) {
        const e = m.get(k) ?? { billed: 0, jobs: 0 };
        e.billed += j.bytesBilled;
        e.jobs += 1;
        m.set(k, e);
      }
    return [...m.entries()].sort((a, b) => b[1].billed - a[1].billed).map(([k, e]) => [k, e.billed, e.jobs]);
  };
  switch (name) {
    case 'costs.storage':
      return {
        fields: [
          ['dataset', 'STRING'],
          ['table_name', 'STRING'],
          ['active_bytes', 'INTEGER'],
          ['long_term_bytes', 'INTEGER'],
        ],
        rows: fixture.storage.map((s) => [s.dataset, s.table, s.activeBytes, s.longTermBytes]),
      };
    case 'costs.daily': {
      const days = new Map<string, [number, number, number, number]>();
      for (const j of jobs) {
        const d = days.get(j.createdAt.slice(0, 10)) ?? [0, 0, 0, 0];
        days.set(j.createdAt.slice(0, 10), [
          d[0] + j.bytesBilled,
          d[1] + j.bytesProcessed,
          d[2] + 1,
          d[3] + (j.cacheHit ? 1 : 0),
        ]);
      }
      return {
        fields: [
          ['day', 'STRING'],
          ['bytes_billed', 'INTEGER'],
          ['bytes_processed', 'INTEGER'],
          ['jobs', 'INTEGER'],
          ['cache_hits', 'INTEGER'],
        ],
        rows: [...days.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([day, v]) => [day, ...v]),
      };
    }
    case 'costs.by_user':
      return {
        fields: [
          ['key', 'STRING'],
          ['bytes_billed', 'INTEGER'],
          ['jobs', 'INTEGER'],
        ],
        rows: sumBy((j) => [j.user]),
      };
    case 'costs.by_label':
      return {
        fields: [
          ['key', 'STRING'],
          ['bytes_billed', 'INTEGER'],
          ['jobs', 'INTEGER'],
        ],
        rows: sumBy((j) => Object.entries(j.labels ?? {}).map(([k, v]) => `${k}=${v}`)),
      };
    case 'costs.opsctl': {
      const billed = jobs.filter((j) => j.labels?.app === 'opsctl').reduce((s, j) => s + j.bytesBilled, 0);
      return {
        fields: [['bytes_billed', 'INTEGER']],
        rows: [[jobs.some((j) => j.labels?.app === 'opsctl') ? billed : null]],
      };
    }
    case 'costs.top':
      return {
        fields: [
          ['job_id', 'STRING'],
          ['user_email', 'STRING'],
          ['created_at', 'STRING'],
          ['bytes_billed', 'INTEGER'],
          ['query', 'STRING'],
          ['labels', 'STRING'],
        ],
        rows: [...jobs]
          .sort((a, b) => b.bytesBilled - a.bytesBilled)
          .slice(0, 10)
          .map((j) => [
            j.jobId,
            j.user,
            j.createdAt.replace('T', ' ').replace('Z', '+00'),
            j.bytesBilled,
            j.query,
            JSON.stringify(Object.entries(j.labels ?? {}).map(([key, value]) => ({ key, value }))),
          ]),
      };
    default:
      return undefined;
  }
}
