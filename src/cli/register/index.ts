import type { Command } from 'commander';
import { registerBackup } from './backup.js';
import { registerBot } from './bot.js';
import { registerConfig } from './config.js';
import { registerCosts } from './costs.js';
import { registerDb } from './db.js';
import { registerDemo } from './demo.js';
import { registerEtl } from './etl.js';
import { registerHealth } from './health.js';
import { registerLoadtest } from './loadtest.js';
import { registerMigrate } from './migrate.js';
import { registerQuarantine } from './quarantine.js';
import { registerSpotify } from './spotify.js';
import { registerState } from './state.js';
import { registerStatus } from './status.js';
import { registerSync } from './sync.js';
import { registerValidate } from './validate.js';
import { registerWatermarks } from './watermarks.js';

/**
 * Every subcommand, registered without importing its operation (each action imports its module when it runs), so
 * `opsctl --help` stays fast. A capability adds its register function here.
 */
export const REGISTRARS: Array<(program: Command) => void> = [
  registerStatus,
  registerHealth,
  registerEtl,
  registerSync,
  registerQuarantine,
  registerWatermarks,
  registerValidate,
  registerCosts,
  registerMigrate,
  registerBackup,
  registerDb,
  registerLoadtest,
  registerSpotify,
  registerDemo,
  registerConfig,
  registerState,
  registerBot,
];
