import { z } from 'zod';

/**
 * Backups: where they go, how many to keep, how old the newest verified one may be, and which dump tools to run.
 * Retention keeps the union of keepLast, keepDaily and keepWeekly (as restic and pgBackRest do); the newest verified
 * backup of a target is always kept.
 */
export const backupsSchema = z
  .strictObject({
    /** Default `<OPSCTL_HOME>/backups`. */
    dir: z.string().min(1).optional(),
    retention: z
      .strictObject({
        /** The newest N backups of each target. */
        keepLast: z.number().int().min(0).default(7),
        /** The newest backup of each of the last N days that have one. */
        keepDaily: z.number().int().min(0).default(7),
        /** The newest backup of each of the last N ISO weeks that have one. */
        keepWeekly: z.number().int().min(0).default(4),
      })
      .prefault({}),
    /** `opsctl validate` and the bot's backup-age alert fail when the newest verified backup is older than this. */
    maxAgeHours: z.number().positive().default(24),
    /**
     * A content checksum of every table in the manifest (a second read of each table, in the dump's snapshot), which
     * `backup verify` recomputes on the scratch restore. false: row counts only (very large databases, measured cost in
     * the README's backup benchmark).
     */
    contentChecksums: z.boolean().default(true),
    /** Dump and restore programs (names on PATH or absolute paths). MySQL defaults to mariadb-dump, then mysqldump. */
    tools: z
      .strictObject({
        pgDump: z.string().min(1).default('pg_dump'),
        pgRestore: z.string().min(1).default('pg_restore'),
        mysqlDump: z.string().min(1).optional(),
        mysql: z.string().min(1).optional(),
      })
      .prefault({}),
  })
  .prefault({});
