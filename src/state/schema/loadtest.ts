import type { StateMigration } from './types.js';

/**
 * Load-test runs: one row per run with the figures `history` lists and `compare` weighs, the threshold results, the
 * full report (status codes, errors by kind, per-second samples) and the HDR histogram (compressed base64).
 */
export const loadtestMigrations: StateMigration[] = [
  {
    id: 'loadtest/001_runs',
    up: (d) => `
      CREATE TABLE loadtest_runs (
        id ${d.autoId},
        profile TEXT,
        url TEXT NOT NULL,
        method TEXT NOT NULL,
        model TEXT NOT NULL,
        started_at ${d.timestamp} NOT NULL,
        finished_at ${d.timestamp} NOT NULL,
        duration_ms ${d.bigint} NOT NULL,
        requests ${d.bigint} NOT NULL,
        rps DOUBLE PRECISION NOT NULL,
        p50_ms DOUBLE PRECISION NOT NULL,
        p90_ms DOUBLE PRECISION NOT NULL,
        p95_ms DOUBLE PRECISION NOT NULL,
        p99_ms DOUBLE PRECISION NOT NULL,
        p999_ms DOUBLE PRECISION NOT NULL,
        max_ms DOUBLE PRECISION NOT NULL,
        mean_ms DOUBLE PRECISION NOT NULL,
        errors ${d.bigint} NOT NULL,
        non2xx ${d.bigint} NOT NULL,
        passed INTEGER NOT NULL,
        trigger TEXT NOT NULL,
        thresholds ${d.json},
        report ${d.json} NOT NULL,
        histogram TEXT NOT NULL
      );
      CREATE INDEX loadtest_runs_profile_idx ON loadtest_runs (profile, id);
    `,
  },
];
