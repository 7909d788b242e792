import { z } from 'zod';
import { migrateDown as runDown, readStatus } from '../../src/migrations/runner.js';
import { compareVersions } from '../../src/migrations/files.js';
import type { MigrateRunResult } from '../../src/migrations/types.js';
import { confirmFields, defineOperation, isConfirmed, requireConfirmation } from '../operation.js';
import { lockTimeoutInput, migrateOptions, pickTarget, targetInput, withTarget } from './common.js';

export const migrateDown = defineOperation({
  name: 'migrate.down',
  summary: 'Roll back the newest applied migrations with their down sections (asks for confirmation)',
  input: z.object({
    target: targetInput.optional(),
    steps: z.number().int().min(1).max(10_000).default(1),
    dryRun: z.boolean().default(false),
    ...confirmFields,
    lockTimeoutMs: lockTimeoutInput,
  }),
  async run(ctx, input): Promise<MigrateRunResult> {
    const name = pickTarget(ctx, input.target);
    const options = migrateOptions(ctx, name, input.lockTimeoutMs);
    return withTarget(
      ctx,
      name,
      async (target) => {
        if (!input.dryRun && !isConfirmed(input, { name, production: options.production === true })) {
          const { status } = await readStatus(target, options);
          const victims = status.applied
            .slice()
            .sort((a, b) => compareVersions(b.version, a.version))
            .slice(0, input.steps);
          requireConfirmation(
            input,
            `roll back ${victims.map((v) => `${v.version}_${v.name}`).join(', ') || 'nothing'} on target "${name}"${options.production ? ' (PRODUCTION)' : ''}`,
            {
              target: { name, production: options.production === true },
              details: { target: name, versions: victims.map((v) => v.version) },
            },
          );
        }
        return runDown(target, { ...options, steps: input.steps, dryRun: input.dryRun });
      },
      options.lockTimeoutMs,
    );
  },
});
