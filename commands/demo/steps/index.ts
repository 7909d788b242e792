import type { DemoStep } from '../step.js';
import { backupStep } from './backup.js';
import { botStep } from './bot.js';
import { costsStep } from './costs.js';
import { etlStep } from './etl.js';
import { healthStep } from './health.js';
import { localTargetStep, overviewStep, stateStep, warehouseStep } from './foundation.js';
import { loadtestStep } from './loadtest.js';
import { migrateStep } from './migrate.js';

/** The demo runs these in order. Each capability appends its step; the overview stays last. */
export const DEMO_STEPS: DemoStep[] = [
  stateStep,
  warehouseStep,
  localTargetStep,
  etlStep,
  costsStep,
  botStep,
  migrateStep,
  syncStep,
  backupStep,
  loadtestStep,
  healthStep,
  overviewStep,
];
import { syncStep } from './sync.js';
