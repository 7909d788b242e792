import type { Config } from '../../src/config/load.js';
import { SPOTIFY_TABLES } from '../../src/spotify/tables.js';
import { deleteOlderThanSql, mergeSql, type TableRef } from '../../src/warehouse/bigquery/sql.js';
import type { TableDef } from '../../src/warehouse/tables.js';
import { syncSourceQueries } from '../../src/pipelines/sync/source.js';

export interface PipelineQuery {
  /** Shown in the check: pipeline/table. */
  name: string;
  pipeline: string;
  sql: string;
  /** Positional parameters the statement is sent with (a dry run needs them too). */
  params?: unknown[];
}

/** The seeds' retention: plays and top snapshots older than 90 days (`opsctl etl retention --older-than 90d`). */
export const SPOTIFY_RETENTION_DAYS = 90;

/**
 * The queries the configured pipelines send to the warehouse, for validate's dry runs. Each pipeline kind adds its
 * own. They come from the same generators the BigQuery adapter uses, so what is dry-run is what runs.
 */
export function pipelineQueries(config: Config, now = new Date()): PipelineQuery[] {
  const queries: PipelineQuery[] = [];
  for (const [name, pipeline] of Object.entries(config.pipelines)) {
    if (!pipeline.enabled) continue;
    if (pipeline.kind === 'spotify') queries.push(...spotifyQueries(config, name, now));
  }
  return [...queries, ...syncSourceQueries(config)];
}

function spotifyQueries(config: Config, pipeline: string, now: Date): PipelineQuery[] {
  const bq = config.warehouse.bigquery;
  const ref = (table: string): TableRef => ({
    projectId: bq.projectId ?? 'project',
    datasetId: bq.dataset,
    tableId: table,
  });
  const defs: TableDef[] = Object.values(SPOTIFY_TABLES);
  const cutoff = new Date(now.getTime() - SPOTIFY_RETENTION_DAYS * 86_400_000);
  return [
    // A load's MERGE, with the target standing in for the staging table (which exists only during a load): it reads
    // at least what the real MERGE reads, so a pass here is a safe bound.
    ...defs.map((def) => ({
      name: `${pipeline}/${def.name} merge`,
      pipeline,
      sql: mergeSql(ref(def.name), ref(def.name), def, { sequenced: false }),
    })),
    ...defs
      .filter((def) => def.partitionBy)
      .map((def) => ({
        name: `${pipeline}/${def.name} retention`,
        pipeline,
        sql: deleteOlderThanSql(ref(def.name), def, def.partitionBy!.column),
        params: [cutoff],
      })),
  ];
}
