import type { Engine } from '../db/target.js';

/** The table opsctl keeps in each migrated database. */
export const HISTORY_TABLE = 'opsctl_schema_migrations';
/** MySQL/MariaDB only: who holds the GET_LOCK (MySQL cannot tell which client holds a named lock). */
export const LOCK_TABLE = 'opsctl_schema_migrations_lock';

/** One `migrations/<target>/<version>_<name>.sql` file. */
export interface MigrationFile {
  version: string;
  name: string;
  /** Absolute path. */
  path: string;
  /** sha256 of the file, line endings normalised. */
  checksum: string;
  up: MigrationSection;
  /** Undefined when the file has no `-- migrate:down` section. */
  down: MigrationSection | undefined;
}

export interface MigrationSection {
  /** `-- migrate:up transaction:false` opts out of the wrapping transaction (PostgreSQL, PGlite). */
  transaction: boolean;
  statements: string[];
  /** What the splitter could not place (an unclosed string, block or comment; a stray DELIMITER), by file line. */
  warnings?: string[];
}

export type HistoryStatus = 'applied' | 'baseline' | 'dirty';

/** A row of the history table. */
export interface HistoryRow {
  version: string;
  name: string;
  checksum: string;
  appliedAt: string;
  durationMs: number;
  appliedBy: string;
  status: HistoryStatus;
  /** The direction that wrote the row; a dirty `down` is a rollback that stopped half-way. */
  operation: 'up' | 'down';
  statementsTotal: number;
  statementsDone: number;
  error: string | null;
}

export type MigrationState = 'applied' | 'baseline' | 'pending' | 'drifted' | 'missing' | 'dirty';

export interface MigrationEntry {
  version: string;
  name: string;
  state: MigrationState;
  /** Path of the file, when there is one. */
  file?: string;
  appliedAt?: string;
  durationMs?: number;
  appliedBy?: string;
  /** Both checksums when they differ (drift). */
  checksum?: { file?: string; recorded?: string };
  /** A pending migration whose version is older than the newest applied one. */
  outOfOrder?: boolean;
}

/** A migration that stopped half-way outside a transaction: exactly which statements ran and which failed. */
export interface DirtyMigration {
  version: string;
  name: string;
  operation: 'up' | 'down';
  statementsTotal: number;
  statementsDone: number;
  /** 1-based number of the statement that failed, or null when the process died between statements. */
  failedStatement: number | null;
  error: string | null;
  /** The statements that ran (from the file, when it is there). */
  ran: string[];
  /** The statement that failed, when known. */
  failed?: string;
  /** The statements that never ran. */
  notRun: string[];
  /** Set when the run that wrote the row still holds the lock: the migration is in progress, not abandoned. */
  runningBy?: string;
}

export interface TargetMigrationStatus {
  target: string;
  engine: Engine;
  location: string;
  production: boolean;
  /** The folder of this target's files. */
  dir: string;
  /** False until the first `migrate up` or `baseline` creates the history table. */
  historyExists: boolean;
  /** The newest applied version, or null. */
  current: string | null;
  /** Every migration, files and history merged, by version. */
  migrations: MigrationEntry[];
  applied: MigrationEntry[];
  pending: MigrationEntry[];
  drifted: MigrationEntry[];
  missing: MigrationEntry[];
  dirty: DirtyMigration | null;
  /** Statements the splitter could not place, per file (`<file>: migrate:up, line …`); warnings, not failures. */
  warnings?: string[];
  /** Set when the target could not be read (status over all targets goes on with the others). */
  error?: string;
  hint?: string;
}

export interface PlannedMigration {
  version: string;
  name: string;
  direction: 'up' | 'down';
  transaction: boolean;
  statements: string[];
  /** What the splitter could not place in this section (see MigrationSection.warnings). */
  warnings?: string[];
}

export interface AppliedMigration {
  version: string;
  name: string;
  direction: 'up' | 'down';
  statements: number;
  durationMs: number;
}

export interface MigrateRunResult {
  target: string;
  engine: Engine;
  dryRun: boolean;
  /** What was (or, with dry-run, would be) run, in order. */
  plan: PlannedMigration[];
  done: AppliedMigration[];
  /** The newest applied version afterwards. */
  current: string | null;
}

/** The result of `migrate.status` (the bot formats it too). */
export interface MigrateStatusResult {
  /** False when a target is unreachable, dirty, drifted or missing files (pending alone is not a failure). */
  ok: boolean;
  targets: TargetMigrationStatus[];
  /** Folders under migrations.dir without a configured target. */
  unconfigured: string[];
}
