import { z } from 'zod';
import { problemsOf } from '../../src/migrations/status.js';
import { defineOperation } from '../operation.js';
import { targetInput } from './common.js';
import { collectStatus } from './status.js';

export interface MigrateValidateResult {
  ok: boolean;
  targets: Array<{
    target: string;
    ok: boolean;
    problems: string[];
    pending: string[];
    /** Statements the splitter could not place (they do not fail validate, but will likely fail when run). */
    warnings: string[];
    error?: string;
  }>;
}

/** Fails on checksum drift (naming file and version), applied migrations whose file is gone, and dirty migrations. */
export const migrateValidate = defineOperation({
  name: 'migrate.validate',
  summary: 'Check applied migrations against their files: checksum drift, missing files, dirty migrations',
  input: z.object({ target: targetInput.optional() }),
  async run(ctx, input): Promise<MigrateValidateResult> {
    const status = await collectStatus(ctx, input.target);
    const targets = status.targets.map((t) => {
      const problems = t.error ? [t.error] : problemsOf(t);
      return {
        target: t.target,
        ok: problems.length === 0,
        problems,
        pending: t.pending.map((p) => `${p.version}_${p.name}`),
        warnings: t.warnings ?? [],
        ...(t.error ? { error: t.error } : {}),
      };
    });
    return { ok: targets.every((t) => t.ok), targets };
  },
});
