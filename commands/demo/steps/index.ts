import type { DemoStep } from '../step.js';
import { botStep } from './bot.js';
import { costsStep } from './costs.js';
import { localTargetStep, overviewStep, stateStep, warehouseStep } from './foundation.js';
import { syncStep } from './sync.js';

/** The demo runs these in order. Each capability appends its step; the overview stays last. */
export const DEMO_STEPS: DemoStep[] = [stateStep, warehouseStep, localTargetStep, costsStep, botStep, syncStep, overviewStep];
