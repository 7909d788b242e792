import { z } from 'zod';
import { migrateUp as runUp } from '../../src/migrations/runner.js';
import type { MigrateRunResult } from '../../src/migrations/types.js';
import { defineOperation } from '../operation.js';
import { lockTimeoutInput, migrateOptions, pickTarget, targetInput, versionInput, withTarget } from './common.js';

export type { MigrateRunResult } from '../../src/migrations/types.js';

export const migrateUp = defineOperation({
  name: 'migrate.up',
  summary: 'Apply pending migrations in version order under the database lock (dry-run prints the SQL instead)',
  input: z.object({
    target: targetInput.optional(),
    /** Stop after this version. */
    to: versionInput.optional(),
    dryRun: z.boolean().default(false),
    lockTimeoutMs: lockTimeoutInput,
  }),
  async run(ctx, input): Promise<MigrateRunResult> {
    const name = pickTarget(ctx, input.target);
    const options = migrateOptions(ctx, name, input.lockTimeoutMs);
    return withTarget(
      ctx,
      name,
      (target) => runUp(target, { ...options, dryRun: input.dryRun, ...(input.to ? { to: input.to } : {}) }),
      options.lockTimeoutMs,
    );
  },
});
