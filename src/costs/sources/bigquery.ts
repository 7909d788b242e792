import type { BigQuery } from '@google-cloud/bigquery';
import type { Config } from '../../config/load.js';
import { quoteBigQuery } from '../../db/identifiers.js';
import { explainBigqueryError, guardedQuery, type BigqueryConfig } from '../../warehouse/bigquery-client.js';
import type { DailyUsage, QueryJob, RawUsage, TableStorage, UsageBreakdown } from '../usage.js';

/**
 * Usage from BigQuery's INFORMATION_SCHEMA: TABLE_STORAGE for storage, JOBS_BY_PROJECT for queries. Every query is an
 * opsctl job like any other: labelled (app=opsctl, pipeline=costs) and capped by maximumBytesBilled. Each carries a
 * `-- opsctl:<name>` comment so it is recognisable in the job history (and in the test fake).
 */
export async function readBigqueryUsage(
  client: BigQuery,
  config: Config,
  since: string,
  shownSince: string,
): Promise<RawUsage> {
  const bq = config.warehouse.bigquery;
  const where = `${quoteBigQuery([bq.projectId ?? '', config.costs.region])}.INFORMATION_SCHEMA`;
  const jobsFilter = `creation_time >= TIMESTAMP(@since) AND job_type = 'QUERY' AND state = 'DONE'`;
  const q = <T>(name: string, sql: string, params: Record<string, string> = {}) =>
    run<T>(client, bq, `-- opsctl:${name}\n${sql}`, params);

  const [storage, daily, byUser, byLabel, opsctl, top] = await Promise.all([
    q<{ dataset: string; table_name: string; active_bytes: number; long_term_bytes: number }>(
      'costs.storage',
      `SELECT table_schema AS dataset, table_name, IFNULL(active_logical_bytes, 0) AS active_bytes, IFNULL(long_term_logical_bytes, 0) AS long_term_bytes
FROM ${where}.TABLE_STORAGE WHERE NOT deleted ORDER BY active_logical_bytes + long_term_logical_bytes DESC`,
    ),
    q<{ day: string; bytes_billed: number; bytes_processed: number; jobs: number; cache_hits: number }>(
      'costs.daily',
      `SELECT CAST(DATE(creation_time) AS STRING) AS day, SUM(IFNULL(total_bytes_billed, 0)) AS bytes_billed,
  SUM(IFNULL(total_bytes_processed, 0)) AS bytes_processed, COUNT(*) AS jobs, COUNTIF(cache_hit) AS cache_hits
FROM ${where}.JOBS_BY_PROJECT WHERE ${jobsFilter} GROUP BY day ORDER BY day`,
      { since },
    ),
    q<{ key: string; bytes_billed: number; jobs: number }>(
      'costs.by_user',
      `SELECT user_email AS key, SUM(IFNULL(total_bytes_billed, 0)) AS bytes_billed, COUNT(*) AS jobs
FROM ${where}.JOBS_BY_PROJECT WHERE ${jobsFilter.replace('@since', '@shown_since')} GROUP BY key ORDER BY bytes_billed DESC`,
      { shown_since: shownSince },
    ),
    q<{ key: string; bytes_billed: number; jobs: number }>(
      'costs.by_label',
      `SELECT CONCAT(l.key, '=', l.value) AS key, SUM(IFNULL(j.total_bytes_billed, 0)) AS bytes_billed, COUNT(*) AS jobs
FROM ${where}.JOBS_BY_PROJECT AS j, UNNEST(j.labels) AS l WHERE ${jobsFilter.replace('@since', '@shown_since')} GROUP BY key ORDER BY bytes_billed DESC`,
      { shown_since: shownSince },
    ),
    q<{ bytes_billed: number | null }>(
      'costs.opsctl',
      `SELECT SUM(IFNULL(total_bytes_billed, 0)) AS bytes_billed FROM ${where}.JOBS_BY_PROJECT
WHERE ${jobsFilter.replace('@since', '@shown_since')} AND EXISTS (SELECT 1 FROM UNNEST(labels) AS l WHERE l.key = 'app' AND l.value = 'opsctl')`,
      { shown_since: shownSince },
    ),
    q<{
      job_id: string;
      user_email: string;
      created_at: string;
      bytes_billed: number;
      query: string;
      labels: string | null;
    }>(
      'costs.top',
      `SELECT job_id, user_email, CAST(creation_time AS STRING) AS created_at, IFNULL(total_bytes_billed, 0) AS bytes_billed, query,
  TO_JSON_STRING(labels) AS labels
FROM ${where}.JOBS_BY_PROJECT WHERE ${jobsFilter.replace('@since', '@shown_since')} ORDER BY total_bytes_billed DESC LIMIT 10`,
      { shown_since: shownSince },
    ),
  ]);

  return {
    storage: storage.map((r): TableStorage => ({
      dataset: r.dataset,
      table: r.table_name,
      activeBytes: Number(r.active_bytes),
      longTermBytes: Number(r.long_term_bytes),
    })),
    daily: daily.map((r): DailyUsage => ({
      day: r.day,
      bytesBilled: Number(r.bytes_billed),
      bytesProcessed: Number(r.bytes_processed),
      jobs: Number(r.jobs),
      cacheHits: Number(r.cache_hits),
    })),
    byUser: byUser.map(breakdown),
    byLabel: byLabel.map(breakdown),
    opsctlBytesBilled: Number(opsctl[0]?.bytes_billed ?? 0),
    top: top.map((r): QueryJob => ({
      jobId: r.job_id,
      user: r.user_email,
      createdAt: r.created_at,
      bytesBilled: Number(r.bytes_billed),
      query: r.query,
      labels: labelsOf(r.labels),
    })),
  };
}

const breakdown = (r: { key: string; bytes_billed: number; jobs: number }): UsageBreakdown => ({
  key: r.key,
  bytesBilled: Number(r.bytes_billed),
  jobs: Number(r.jobs),
});

/** TO_JSON_STRING(labels) is an array of {key, value}. */
function labelsOf(json: string | null): Record<string, string> {
  if (!json) return {};
  try {
    const list = JSON.parse(json) as Array<{ key: string; value: string }>;
    return Object.fromEntries(list.map((l) => [l.key, l.value]));
  } catch {
    return {};
  }
}

async function run<T>(
  client: BigQuery,
  config: BigqueryConfig,
  sql: string,
  params: Record<string, string>,
): Promise<T[]> {
  try {
    const [rows] = await client.query(
      guardedQuery(config, sql, { pipeline: 'costs', ...(Object.keys(params).length ? { params } : {}) }),
    );
    return rows as T[];
  } catch (error) {
    throw explainBigqueryError(error, sql.split('\n')[0]!.replace('-- opsctl:', ''));
  }
}
