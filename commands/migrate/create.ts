import { z } from 'zod';
import { createMigrationFile } from '../../src/migrations/files.js';
import { defineOperation } from '../operation.js';
import { migrationsDir, targetConfig, targetInput } from './common.js';

export interface MigrateCreateResult {
  target: string;
  version: string;
  name: string;
  path: string;
}

export const migrateCreate = defineOperation({
  name: 'migrate.create',
  summary: 'Write the next migration file for a target, with up and down sections',
  input: z.object({ target: targetInput, name: z.string().min(1).max(120) }),
  async run(ctx, input): Promise<MigrateCreateResult> {
    const config = targetConfig(ctx, input.target);
    const file = createMigrationFile(migrationsDir(ctx, input.target), input.name, { engine: config.engine });
    return { target: input.target, ...file };
  },
});
