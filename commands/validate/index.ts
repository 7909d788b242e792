import { z } from 'zod';
import { ENVIRONMENTS } from '../../src/config/schema.js';
import { UsageError } from '../../src/errors.js';
import { redactor } from '../../src/log/redact.js';
import { defineOperation } from '../operation.js';
import { CHECK_GROUPS } from './groups/index.js';
import { fail, type CheckOutcome, type CheckResult, type CheckStatus } from './types.js';

export interface ValidateResult {
  env: (typeof ENVIRONMENTS)[number];
  ok: boolean;
  /** True when no check ran at all: the gate then fails with exit 2 ("no checks selected"). */
  noChecks?: boolean;
  counts: Record<CheckStatus, number>;
  groups: string[];
  checks: CheckResult[];
  startedAt: string;
  durationMs: number;
}

/**
 * The pre-deployment gate: every check group, each check pass, warn or fail with a reason and a hint. Only a fail
 * makes the gate fail; a broken config is itself a failed check, so CI still gets a full report and a JUnit file.
 */
export const validate = defineOperation({
  name: 'validate',
  summary: 'Check that it is safe to deploy: config, environment, connectivity and every capability',
  input: z.object({
    env: z.enum(ENVIRONMENTS).optional(),
    only: z.array(z.string()).optional(),
    /** Set by the faces when the config did not load (the checks then run on the embedded defaults). */
    configError: z.object({ message: z.string(), hint: z.string().optional() }).optional(),
  }),
  async run(ctx, input): Promise<ValidateResult> {
    const env = input.env ?? ctx.config.environment;
    const known = CHECK_GROUPS.map((g) => g.id);
    const unknown = (input.only ?? []).filter((id) => !known.includes(id));
    if (unknown.length) {
      throw new UsageError(`unknown check group${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`, {
        hint: `Groups: ${known.join(', ')}.`,
      });
    }
    // A config that does not load fails the gate whatever --only says: its group always runs then.
    const groups = CHECK_GROUPS.filter(
      (g) => !input.only?.length || input.only.includes(g.id) || (input.configError && g.id === 'config'),
    );
    const started = Date.now();
    const checks: CheckResult[] = [];
    for (const group of groups) {
      if (ctx.signal.aborted) break;
      // A broken config leaves nothing trustworthy to check beyond the config itself.
      if (input.configError && group.id !== 'config') continue;
      let last = performance.now();
      const emit = (outcome: CheckOutcome) => {
        const now = performance.now();
        const check = redactor.redactDeep({ group: group.id, ...outcome, durationMs: Math.round(now - last) });
        last = now;
        checks.push(check);
        ctx.progress({ phase: group.title, done: checks.length, note: `${check.status} ${check.name}`, item: check });
      };
      try {
        await group.run({
          ctx,
          config: ctx.config,
          loaded: ctx.loaded,
          env,
          emit,
          ...(input.configError ? { configError: input.configError } : {}),
        });
      } catch (error) {
        emit(
          fail(
            `${group.id} checks`,
            `could not finish: ${(error as Error).message}`,
            'This is a bug or an unexpected environment; run with --log-level debug.',
          ),
        );
      }
    }
    return {
      env,
      ...verdict(
        checks,
        groups.map((g) => g.id),
        noChecksReason(ctx.signal.aborted, input.only),
      ),
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
    };
  },
});

function noChecksReason(aborted: boolean, only: string[] | undefined): string {
  if (aborted) return 'interrupted before any check ran';
  return `no checks ran for ${only?.length ? `--only ${only.join(' ')}` : 'this configuration'}`;
}

/**
 * The gate's verdict over the checks that ran. A run that checked nothing proves nothing: it is never "safe" but a
 * usage problem (exit 2), reported as a failed check so the JSON and the JUnit file say so too.
 */
export function verdict(
  ran: CheckResult[],
  groups: string[],
  noChecksReason: string,
): Pick<ValidateResult, 'ok' | 'noChecks' | 'counts' | 'groups' | 'checks'> {
  const noChecks = ran.length === 0;
  const checks: CheckResult[] = noChecks
    ? [
        {
          group: 'validate',
          durationMs: 0,
          ...fail(
            'no checks selected',
            noChecksReason,
            `Select groups that have something to check: ${CHECK_GROUPS.map((g) => g.id).join(', ')}.`,
          ),
        },
      ]
    : ran;
  const counts: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0 };
  for (const c of checks) counts[c.status] += 1;
  return {
    ok: counts.fail === 0,
    noChecks,
    counts,
    groups: noChecks ? [...groups, 'validate'] : groups,
    checks,
  };
}
