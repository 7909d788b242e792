import { BigQuery, type Query } from '@google-cloud/bigquery';
import { OAuth2Client } from 'google-auth-library';
import type { Config } from '../config/load.js';
import { ConfigError } from '../errors.js';

export type BigqueryConfig = Config['warehouse']['bigquery'];

/**
 * The one place opsctl builds a `@google-cloud/bigquery` client, so the pipeline, the cost report and validate all
 * talk to the same endpoint with the same credentials. `apiEndpoint` points it at an emulator or a test fake; an
 * `accessToken` skips Google's token exchange (a fake cannot answer it, and `gcloud auth print-access-token` gives one).
 */
export function createBigqueryClient(config: BigqueryConfig): BigQuery {
  if (!config.projectId) {
    throw new ConfigError('warehouse.bigquery.projectId is not set', { hint: 'Set BIGQUERY_PROJECT_ID or warehouse.bigquery.projectId.' });
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
  return value.toLowerCase().replace(/[^a-z0-9_-]/g, '_').slice(0, 63);
}

/** Query options with the guard every opsctl query carries: labels and the maximumBytesBilled cap from config. */
export function guardedQuery(config: BigqueryConfig, query: string, extra: Partial<Query> & { pipeline?: string } = {}): Query {
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
