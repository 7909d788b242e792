import type { CheckGroup } from '../types.js';
import { backupsChecks } from './backups.js';
import { bigqueryChecks } from './bigquery.js';
import { configChecks } from './config.js';
import { connectivityChecks } from './connectivity.js';
import { environmentChecks } from './environment.js';
import { migrationsChecks } from './migrations.js';
import { servicesChecks } from './services.js';

/** The gate's groups, in the order they run and print. `--only` takes these ids. */
export const CHECK_GROUPS: CheckGroup[] = [
  configChecks,
  environmentChecks,
  connectivityChecks,
  servicesChecks,
  migrationsChecks,
  backupsChecks,
  loadtestsChecks,
  syncChecks,
  bigqueryChecks,
];
import { loadtestsChecks } from './loadtests.js';
import { syncChecks } from './sync.js';
