import type { StateMigration } from './types.js';

/**
 * Indexes on the instant each growing table is aged by, so retention (after every `etl run`) finds the oldest row and
 * the rows past the cutoff without scanning the table.
 */
export const retentionMigrations: StateMigration[] = [
  {
    id: 'retention/001_age_indexes',
    up: () => `
      CREATE INDEX execution_log_started_idx ON execution_log (started_at);
      CREATE INDEX quarantine_created_idx ON quarantine (created_at);
      CREATE INDEX loadtest_runs_started_idx ON loadtest_runs (started_at);
    `,
  },
];
