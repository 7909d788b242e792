import { BigQuery, type Query } from '@google-cloud/bigquery';
import { OAuth2Client } from 'google-auth-library';
import type { Config } from '../config/load.js';
import { ConfigError, ConnectionError, OperationFailed, ThresholdBreached } from '../errors.js';

export type BigqueryConfig = Config['warehouse']['bigquery'];

/**
 * The one place opsctl builds a `@google-cloud/bigquery` client, so the pipeline, the cost report and validate all
 * talk to the same endpoint with the same credentials. `apiEndpoint` points it at an emulator or a test fake; an
 * `accessToken` skips Google's token exchange (a fake cannot answer it, and `gcloud auth print-access-token` gives one).
 */
export function createBigqueryClient(config: BigqueryConfig): BigQuery {
  if (!config.projectId) {
    throw new ConfigError('warehouse.bigquery.projectId is not set', {
      hint: 'Set BIGQUERY_PROJECT_ID or warehouse.bigquery.projectId.',
    });
  }
  const options: ConstructorParameters<typeof BigQuery>[0] = {
    projectId: config.projectId,
    location: config.location,
    ...(config.apiEndpoint ? { apiEndpoint: config.apiEndpoint.replace(/\/+$/, '') } : {}),
  };
  if (config.accessToken) {
    const auth = new OAuth2Client();
    auth.setCredentials({ access_token: config.accessToken, token_type: 'Bearer' });
    options.authClient = auth;
  } else if (config.keyFilename) {
    options.keyFilename = config.keyFilename;
  }
  return new BigQuery(options);
}

/** Labels every opsctl job carries, so the cost report tells opsctl's own jobs from the dashboards'. */
export function jobLabels(config: BigqueryConfig, pipeline?: string): Record<string, string> {
  const labels: Record<string, string> = { ...config.labels, app: 'opsctl' };
  if (pipeline) labels.pipeline = labelValue(pipeline);
  return labels;
}

/** BigQuery label values: lowercase letters, digits, `_` and `-`, at most 63 characters. */
export function labelValue(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '_')
    .slice(0, 63);
}

/** Query options with the guard every opsctl query carries: labels and the maximumBytesBilled cap from config. */
export function guardedQuery(
  config: BigqueryConfig,
  query: string,
  extra: Partial<Query> & { pipeline?: string } = {},
): Query {
  const { pipeline, ...rest } = extra;
  return {
    query,
    location: config.location,
    useLegacySql: false,
    labels: jobLabels(config, pipeline),
    maximumBytesBilled: config.maximumBytesBilled,
    ...rest,
  };
}

type ParamType = string | string[];

function paramType(value: unknown): ParamType {
  if (value === null || value === undefined) return 'STRING';
  if (value instanceof Date) return 'TIMESTAMP';
  if (typeof value === 'bigint') return 'INT64';
  if (typeof value === 'number') return Number.isInteger(value) ? 'INT64' : 'FLOAT64';
  if (typeof value === 'boolean') return 'BOOL';
  if (Array.isArray(value)) return [paramType(value.find((v) => v !== null && v !== undefined)) as string];
  return 'STRING';
}

/** Positional parameters with explicit types (BigQuery cannot infer the type of a NULL). */
export function bindParams(params: unknown[]): Pick<Query, 'params' | 'types'> {
  if (params.length === 0) return {};
  return {
    params: params.map((v) =>
      typeof v === 'bigint'
        ? v.toString()
        : Array.isArray(v)
          ? v.map((x) => (typeof x === 'bigint' ? x.toString() : x))
          : (v ?? null),
    ),
    types: params.map(paramType) as Query['types'],
  };
}

interface ApiErrorLike {
  code?: number;
  message?: string;
  errors?: Array<{ reason?: string; message?: string }>;
}

/**
 * Turns a BigQuery API error into an operator's error. Over the bytes-billed cap BigQuery refuses the query before
 * running it and charges nothing; say that, and what to change.
 */
export function explainBigqueryError(error: unknown, what: string): Error {
  const e = error as ApiErrorLike;
  const reasons = (e.errors ?? []).map((x) => x.reason);
  if (reasons.includes('bytesBilledLimitExceeded')) {
    return new ThresholdBreached(
      `BigQuery refused ${what}: it would bill more than maximumBytesBilled (${e.message ?? 'limit exceeded'}); nothing was charged`,
      {
        hint: 'Narrow the query (partition filter, fewer columns) or raise warehouse.bigquery.maximumBytesBilled.',
        cause: error,
      },
    );
  }
  if (e.code === 401 || e.code === 403 || reasons.includes('accessDenied')) {
    return new ConnectionError(`BigQuery denied ${what}: ${e.message ?? 'access denied'}`, {
      hint: 'Check GOOGLE_APPLICATION_CREDENTIALS (or BIGQUERY_ACCESS_TOKEN) and that the account may run jobs and read INFORMATION_SCHEMA (roles/bigquery.resourceViewer).',
      cause: error,
    });
  }
  if (typeof e.code === 'number' && e.code >= 400 && e.code < 500) {
    return new OperationFailed(`BigQuery rejected ${what}: ${e.message ?? 'bad request'}`, {
      hint: 'Check the SQL and the dataset and region names.',
      cause: error,
    });
  }
  return new ConnectionError(`BigQuery call failed for ${what}: ${(error as Error).message}`, {
    hint: 'Check the network and warehouse.bigquery (projectId, location, apiEndpoint).',
    cause: error,
  });
}

export interface DryRun {
  bytesProcessed: number;
  /** What BigQuery would bill on demand: at least 10 MiB, rounded up to the MiB. */
  bytesBilled: number;
  withinCap: boolean;
  maximumBytesBilled: number;
}

/** A dry run: BigQuery plans the query, reports the bytes it would scan, and neither runs nor bills it. */
export async function dryRunQuery(
  client: BigQuery,
  config: BigqueryConfig,
  sql: string,
  pipeline = 'estimate',
  params: unknown[] = [],
): Promise<DryRun> {
  let job;
  try {
    [job] = await client.createQueryJob({
      ...guardedQuery(config, sql, { pipeline }),
      ...bindParams(params),
      dryRun: true,
    });
  } catch (error) {
    throw explainBigqueryError(error, 'the dry run');
  }
  const stats = (
    job.metadata as { statistics?: { totalBytesProcessed?: string; query?: { totalBytesProcessed?: string } } }
  ).statistics;
  const bytesProcessed = Number(stats?.totalBytesProcessed ?? stats?.query?.totalBytesProcessed ?? 0);
  const MIB = 1024 ** 2;
  const bytesBilled = bytesProcessed === 0 ? 0 : Math.max(10 * MIB, Math.ceil(bytesProcessed / MIB) * MIB);
  const maximumBytesBilled = Number(config.maximumBytesBilled);
  return { bytesProcessed, bytesBilled, withinCap: bytesBilled <= maximumBytesBilled, maximumBytesBilled };
}
