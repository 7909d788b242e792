import type { StateMigration } from './types.js';

/**
 * The backup catalog: one row per backup file opsctl wrote and has not pruned. Times are ISO-8601 UTC text (they sort
 * as they compare); `manifest` is the manifest written beside the file, `verify_*` the last restore drill's outcome.
 */
export const backupsMigrations: StateMigration[] = [
  {
    id: 'backups/001_catalog',
    up: (d) => `
      CREATE TABLE backups (
        id TEXT PRIMARY KEY,
        target TEXT NOT NULL,
        engine TEXT NOT NULL,
        path TEXT NOT NULL,
        format TEXT NOT NULL,
        size_bytes ${d.bigint} NOT NULL,
        sha256 TEXT NOT NULL,
        server_version TEXT NOT NULL,
        tool TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        manifest ${d.json} NOT NULL,
        verify_status TEXT CHECK (verify_status IN ('passed', 'failed')),
        verified_at TEXT,
        verify_error TEXT,
        verify_details ${d.json}
      );
      CREATE INDEX backups_target_idx ON backups (target, finished_at);
    `,
  },
];
