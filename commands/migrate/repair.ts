import { z } from 'zod';
import { repairTarget, type RepairAction } from '../../src/migrations/runner.js';
import { confirmFields, defineOperation, isConfirmed, requireConfirmation } from '../operation.js';
import { lockTimeoutInput, migrateOptions, pickTarget, targetInput, withTarget } from './common.js';

export interface MigrateRepairResult {
  target: string;
  dryRun: boolean;
  actions: RepairAction[];
}

/** Makes the history agree with the database after a fix by hand (asks for confirmation; dry-run lists what it would do). */
export const migrateRepair = defineOperation({
  name: 'migrate.repair',
  summary: 'Clear a dirty migration, realign drifted checksums, forget missing files (asks for confirmation)',
  input: z.object({
    target: targetInput.optional(),
    /** The dirty migration's remaining statements were finished by hand (default: its partial statements were undone). */
    completed: z.boolean().default(false),
    dryRun: z.boolean().default(false),
    ...confirmFields,
    lockTimeoutMs: lockTimeoutInput,
  }),
  async run(ctx, input): Promise<MigrateRepairResult> {
    const name = pickTarget(ctx, input.target);
    const options = migrateOptions(ctx, name, input.lockTimeoutMs);
    return withTarget(
      ctx,
      name,
      async (target) => {
        if (!input.dryRun && !isConfirmed(input, { name, production: options.production === true })) {
          const preview = await repairTarget(target, { ...options, completed: input.completed, dryRun: true });
          if (preview.actions.length === 0) return preview;
          requireConfirmation(
            input,
            `repair the migration history of target "${name}": ${preview.actions.map((a) => `${a.version} ${a.detail}`).join('; ')}`,
            {
              target: { name, production: options.production === true },
              details: { actions: preview.actions },
            },
          );
        }
        return repairTarget(target, { ...options, completed: input.completed, dryRun: input.dryRun });
      },
      options.lockTimeoutMs,
    );
  },
});
