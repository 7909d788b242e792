import type { StateMigration } from './types.js';

export const costsMigrations: StateMigration[] = [
  {
    // One row per warehouse and day: the report as it stood, so the trend outlives INFORMATION_SCHEMA's 180 days.
    id: 'costs/001_snapshots',
    up: (d) => `
      CREATE TABLE costs_snapshots (
        warehouse TEXT NOT NULL,
        day TEXT NOT NULL,
        taken_at TEXT NOT NULL,
        storage_bytes ${d.bigint} NOT NULL,
        bytes_billed_day ${d.bigint} NOT NULL,
        bytes_billed_mtd ${d.bigint} NOT NULL,
        mtd_usd DOUBLE PRECISION NOT NULL,
        projected_usd DOUBLE PRECISION NOT NULL,
        budget_percent DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (warehouse, day)
      );
    `,
  },
  {
    // opsctl's own warehouse jobs, metered where the warehouse cannot say (DuckDB): what they read, in BigQuery's bytes.
    id: 'costs/002_jobs',
    up: (d) => `
      CREATE TABLE costs_jobs (
        id ${d.autoId},
        warehouse TEXT NOT NULL,
        created_at TEXT NOT NULL,
        operation TEXT NOT NULL,
        pipeline TEXT,
        bytes_scanned ${d.bigint} NOT NULL,
        rows_read ${d.bigint} NOT NULL,
        query TEXT NOT NULL
      );
      CREATE INDEX costs_jobs_created_idx ON costs_jobs (created_at);
    `,
  },
];
