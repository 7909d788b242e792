import { z } from 'zod';
import { baselineTarget } from '../../src/migrations/runner.js';
import { defineOperation } from '../operation.js';
import { lockTimeoutInput, migrateOptions, targetConfig, targetInput, versionInput, withTarget } from './common.js';

export interface MigrateBaselineResult {
  target: string;
  version: string;
  baselined: Array<{ version: string; name: string }>;
}

export const migrateBaseline = defineOperation({
  name: 'migrate.baseline',
  summary: 'Record the files up to a version as applied without running them (a database that already has the schema)',
  input: z.object({ target: targetInput, version: versionInput, lockTimeoutMs: lockTimeoutInput }),
  async run(ctx, input): Promise<MigrateBaselineResult> {
    targetConfig(ctx, input.target);
    const options = migrateOptions(ctx, input.target, input.lockTimeoutMs);
    return withTarget(
      ctx,
      input.target,
      (target) => baselineTarget(target, { ...options, version: input.version }),
      options.lockTimeoutMs,
    );
  },
});
