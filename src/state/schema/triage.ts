import type { StateMigration } from './types.js';

/**
 * Indexes the triage board reads through, so its cost does not grow with the history: the newest run of a pipeline
 * in a status (and the failures since a success) is a seek on (pipeline, status, id); quarantine growth reads the last
 * day on retention's created_at index; a sync table's last execution is a seek on (pipeline, table_name, id).
 */
export const triageMigrations: StateMigration[] = [
  {
    id: 'triage/001_indexes',
    up: () => `
      CREATE INDEX runs_pipeline_status_idx ON runs (pipeline, status, id);
      CREATE INDEX execution_log_table_id_idx ON execution_log (pipeline, table_name, id);
    `,
  },
  {
    // What the triage board needs of the cost report, stored with each day's snapshot (every `costs` report, check and
    // snapshot saves one) so `opsctl status` reads it instead of opening the warehouse: the levels with their percent.
    id: 'triage/002_cost_levels',
    up: (d) => `ALTER TABLE costs_snapshots ADD COLUMN levels ${d.json};`,
  },
];
