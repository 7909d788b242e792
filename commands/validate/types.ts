import type { Config, LoadedConfig } from '../../src/config/load.js';
import type { OperationContext } from '../operation.js';

export const CHECK_STATUSES = ['pass', 'warn', 'fail'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];
export type ValidateEnvironment = Config['environment'];

/** One line of the gate: pass, warn or fail, with a one-line reason and, when it is not a pass, what to do. */
export interface CheckResult {
  group: string;
  name: string;
  status: CheckStatus;
  reason: string;
  hint?: string;
  durationMs: number;
}

export type CheckOutcome = Omit<CheckResult, 'group' | 'durationMs'>;

export interface CheckEnv {
  ctx: OperationContext;
  config: Config;
  loaded: LoadedConfig;
  /** The environment being validated for (--env), which may differ from the configured one. */
  env: ValidateEnvironment;
  /** Set when the config did not load: `config` and `loaded` are then the embedded defaults. */
  configError?: { message: string; hint?: string };
  /** Reports one finished check; the group goes on with the next. */
  emit(outcome: CheckOutcome): void;
}

/** A group of checks (`--only` takes its id). Groups never throw for a failed check: they emit a fail. */
export interface CheckGroup {
  id: string;
  title: string;
  run(env: CheckEnv): Promise<void>;
}

export const pass = (name: string, reason: string): CheckOutcome => ({ name, status: 'pass', reason });
export const warn = (name: string, reason: string, hint: string): CheckOutcome => ({
  name,
  status: 'warn',
  reason,
  hint,
});
export const fail = (name: string, reason: string, hint: string): CheckOutcome => ({
  name,
  status: 'fail',
  reason,
  hint,
});
