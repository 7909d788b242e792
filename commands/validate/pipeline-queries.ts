import type { Config } from '../../src/config/load.js';
import { syncSourceQueries } from '../../src/pipelines/sync/source.js';

export interface PipelineQuery {
  /** Shown in the check: pipeline/table. */
  name: string;
  pipeline: string;
  sql: string;
}

/** The queries the configured pipelines send to the warehouse, for validate's dry runs. Each pipeline kind adds its own. */
export function pipelineQueries(config: Config): PipelineQuery[] {
  return [...syncSourceQueries(config)];
}
