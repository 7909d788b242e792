import { backupsMigrations } from './backups.js';
import { botMigrations } from './bot.js';
import { coreMigrations } from './core.js';
import { costsMigrations } from './costs.js';
import { counterMigrations } from './counters.js';
import { loadtestMigrations } from './loadtest.js';
import { retentionMigrations } from './retention.js';
import { triageMigrations } from './triage.js';
import type { StateMigration } from './types.js';

/** Every state-store migration this opsctl knows, in the order they apply. Add an area's list at the end. */
export const STATE_MIGRATIONS: StateMigration[] = [
  ...coreMigrations,
  ...costsMigrations,
  ...botMigrations,
  ...backupsMigrations,
  ...loadtestMigrations,
  ...retentionMigrations,
  ...counterMigrations,
  ...triageMigrations,
];
