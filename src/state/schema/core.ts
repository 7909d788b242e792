import type { StateMigration } from './types.js';

export const coreMigrations: StateMigration[] = [
  {
    id: 'core/001_runs',
    up: (d) => `
      CREATE TABLE runs (
        id ${d.autoId},
        operation TEXT NOT NULL,
        pipeline TEXT,
        status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled')),
        trigger TEXT NOT NULL DEFAULT 'cli',
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        process_start TEXT,
        started_at ${d.timestamp} NOT NULL,
        heartbeat_at ${d.timestamp},
        finished_at ${d.timestamp},
        duration_ms ${d.bigint},
        summary ${d.json},
        error TEXT
      );
      CREATE INDEX runs_started_idx ON runs (started_at);
      CREATE INDEX runs_pipeline_idx ON runs (pipeline, started_at);
      CREATE INDEX runs_status_idx ON runs (status);
    `,
  },
  {
    id: 'core/002_execution_log',
    up: (d) => `
      CREATE TABLE execution_log (
        id ${d.autoId},
        run_id ${d.bigint} REFERENCES runs (id) ON DELETE CASCADE,
        pipeline TEXT NOT NULL,
        table_name TEXT NOT NULL,
        status TEXT NOT NULL,
        rows_extracted ${d.bigint} NOT NULL DEFAULT 0,
        rows_loaded ${d.bigint} NOT NULL DEFAULT 0,
        rows_rejected ${d.bigint} NOT NULL DEFAULT 0,
        watermark_before TEXT,
        watermark_after TEXT,
        started_at ${d.timestamp} NOT NULL,
        finished_at ${d.timestamp},
        duration_ms ${d.bigint},
        error TEXT,
        details ${d.json}
      );
      CREATE INDEX execution_log_run_idx ON execution_log (run_id);
      CREATE INDEX execution_log_table_idx ON execution_log (pipeline, table_name, started_at);
    `,
  },
  {
    id: 'core/003_watermarks',
    up: (d) => `
      CREATE TABLE watermarks (
        pipeline TEXT NOT NULL,
        table_name TEXT NOT NULL,
        value TEXT,
        value_type TEXT NOT NULL DEFAULT 'text',
        updated_at ${d.timestamp} NOT NULL,
        run_id ${d.bigint},
        PRIMARY KEY (pipeline, table_name)
      );
    `,
  },
  {
    id: 'core/004_locks',
    up: (d) => `
      CREATE TABLE locks (
        name TEXT PRIMARY KEY,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        process_start TEXT,
        operation TEXT,
        run_id ${d.bigint},
        acquired_at ${d.timestamp} NOT NULL,
        heartbeat_at ${d.timestamp} NOT NULL
      );
    `,
  },
  {
    id: 'core/005_quarantine',
    up: (d) => `
      CREATE TABLE quarantine (
        id ${d.autoId},
        run_id ${d.bigint},
        pipeline TEXT NOT NULL,
        table_name TEXT NOT NULL,
        reason TEXT NOT NULL,
        payload ${d.json},
        created_at ${d.timestamp} NOT NULL
      );
      CREATE INDEX quarantine_run_idx ON quarantine (run_id);
      CREATE INDEX quarantine_table_idx ON quarantine (pipeline, table_name, created_at);
    `,
  },
];
