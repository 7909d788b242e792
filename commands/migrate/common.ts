import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { lockTimeoutMs } from '../../src/config/sections/migrations.js';
import type { TargetConfig } from '../../src/config/schema.js';
import { openTarget, type SqlTarget } from '../../src/db/target.js';
import { NotFoundError, UsageError } from '../../src/errors.js';
import type { MigrateOptions } from '../../src/migrations/runner.js';
import type { OperationContext } from '../operation.js';

export const targetInput = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,62}$/, { message: 'must be a target name from targets.* in the config' });
export const versionInput = z.string().regex(/^\d{1,64}$/, { message: 'must be a migration version (digits)' });
export const lockTimeoutInput = z.number().int().min(0).max(3_600_000).optional();

export function targetConfig(ctx: OperationContext, name: string): TargetConfig {
  const config = ctx.config.targets[name];
  if (!config) {
    const known = Object.keys(ctx.config.targets);
    throw new NotFoundError(`target "${name}" is not configured`, {
      hint: known.length
        ? `Known targets: ${known.join(', ')}. Add targets.${name} to opsctl.config.json to migrate it.`
        : `Add targets.${name} to opsctl.config.json.`,
    });
  }
  return config;
}

/** The target an operation that changes one database works on: the named one, or the only one configured. */
export function pickTarget(ctx: OperationContext, name: string | undefined): string {
  if (name) {
    targetConfig(ctx, name);
    return name;
  }
  const names = Object.keys(ctx.config.targets);
  if (names.length === 1) return names[0]!;
  throw new UsageError(`name the target: ${names.length ? names.join(', ') : 'none is configured'}`, {
    hint: 'e.g. `opsctl migrate up app`.',
  });
}

export function migrationsDir(ctx: OperationContext, name: string): string {
  return join(ctx.config.migrations.dir, name);
}

export function migrateOptions(ctx: OperationContext, name: string, lockTimeout?: number): MigrateOptions {
  return {
    dir: migrationsDir(ctx, name),
    production: targetConfig(ctx, name).production,
    lockTimeoutMs: lockTimeout ?? lockTimeoutMs(ctx.config.migrations),
    signal: ctx.signal,
    progress: (p) => ctx.progress(p),
    log: ctx.log,
  };
}

/** Opens the target for the length of `fn`. A PGlite directory held by another process is waited for as long as the lock. */
export async function withTarget<T>(
  ctx: OperationContext,
  name: string,
  fn: (target: SqlTarget) => Promise<T>,
  waitMs?: number,
): Promise<T> {
  const target = await openTarget(name, targetConfig(ctx, name), {
    signal: ctx.signal,
    waitMs: waitMs ?? lockTimeoutMs(ctx.config.migrations),
  });
  try {
    return await fn(target);
  } finally {
    await target.close().catch(() => undefined);
  }
}

/** Folders under migrations.dir that no configured target owns (their files are never applied). */
export function unconfiguredDirs(ctx: OperationContext): string[] {
  const dir = ctx.config.migrations.dir;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((d) => statSync(join(dir, d)).isDirectory() && !(d in ctx.config.targets))
    .sort();
}
