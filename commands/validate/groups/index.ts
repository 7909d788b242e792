import type { CheckGroup } from '../types.js';
import { bigqueryChecks } from './bigquery.js';
import { configChecks } from './config.js';
import { connectivityChecks } from './connectivity.js';
import { environmentChecks } from './environment.js';
import { syncChecks } from './sync.js';

/** The gate's groups, in the order they run and print. `--only` takes these ids. */
export const CHECK_GROUPS: CheckGroup[] = [configChecks, environmentChecks, connectivityChecks, bigqueryChecks, syncChecks];
