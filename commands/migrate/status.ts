import { existsSync } from 'node:fs';
import { z } from 'zod';
import { isOpsError } from '../../src/errors.js';
import { redactUrlPasswords } from '../../src/log/redact.js';
import { readMigrations } from '../../src/migrations/files.js';
import { readStatus } from '../../src/migrations/runner.js';
import { computeStatus, problemsOf } from '../../src/migrations/status.js';
import type { MigrateStatusResult, TargetMigrationStatus } from '../../src/migrations/types.js';
import { defineOperation, type OperationContext } from '../operation.js';
import { migrationsDir, targetConfig, targetInput, unconfiguredDirs, withTarget } from './common.js';

export type { MigrateStatusResult, TargetMigrationStatus } from '../../src/migrations/types.js';

/** One target's status; a PGlite target whose data directory does not exist yet is read without creating it. */
export async function targetStatus(ctx: OperationContext, name: string): Promise<TargetMigrationStatus> {
  const config = targetConfig(ctx, name);
  const dir = migrationsDir(ctx, name);
  if (config.engine === 'pglite' && config.path && !existsSync(config.path)) {
    const files = readMigrations(dir, 'pglite');
    return computeStatus(
      { target: name, engine: 'pglite', location: config.path, production: config.production, dir },
      files,
      { exists: false, rows: [] },
    );
  }
  return (await withTarget(ctx, name, (target) => readStatus(target, { dir, production: config.production }))).status;
}

/** Every target (or one): applied, pending, drifted, missing and dirty migrations. */
export async function collectStatus(ctx: OperationContext, only: string | undefined): Promise<MigrateStatusResult> {
  const names = only ? [only] : Object.keys(ctx.config.targets);
  const targets: TargetMigrationStatus[] = [];
  for (const [i, name] of names.entries()) {
    ctx.progress({ phase: 'reading history', done: i, total: names.length, note: name });
    if (only) {
      targets.push(await targetStatus(ctx, name));
      continue;
    }
    try {
      targets.push(await targetStatus(ctx, name));
    } catch (error) {
      const config = ctx.config.targets[name]!;
      targets.push({
        target: name,
        engine: config.engine,
        location: config.engine === 'pglite' ? (config.path ?? '') : redactUrlPasswords(config.url),
        production: config.production,
        dir: migrationsDir(ctx, name),
        historyExists: false,
        current: null,
        migrations: [],
        applied: [],
        pending: [],
        drifted: [],
        missing: [],
        dirty: null,
        error: (error as Error).message,
        ...(isOpsError(error) && error.hint ? { hint: error.hint } : {}),
      });
    }
  }
  return {
    ok: targets.every((t) => !t.error && problemsOf(t).length === 0),
    targets,
    unconfigured: unconfiguredDirs(ctx),
  };
}

export const migrateStatus = defineOperation({
  name: 'migrate.status',
  summary:
    'Applied, pending, drifted and missing migrations per database target; a dirty one says which statements ran',
  input: z.object({ target: targetInput.optional() }),
  async run(ctx, input): Promise<MigrateStatusResult> {
    return collectStatus(ctx, input.target);
  },
});
