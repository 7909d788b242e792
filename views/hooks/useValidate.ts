import { useCallback, useEffect, useRef, useState } from 'react';
import type { ProgressItemFor, ResultFor } from '../../commands/catalog.js';
import { useOperation } from './useOperation.js';

type ValidateResult = ResultFor<'validate'>;
export type CheckResult = ProgressItemFor<'validate'>;
export type ValidateEnv = ValidateResult['env'];

/**
 * Runs the gate from the console as a job of the app, like every other action: it shows in the jobs view and the
 * header, `x` there cancels it, and closing the view does not stop it. Each check streams in as a progress item.
 * Opening the view while a validate job runs shows that job; otherwise it starts one for the environment.
 */
export function useValidate(initialEnv: ValidateEnv) {
  const op = useOperation('validate');
  const running = op.state.status === 'running';
  const [env, setEnv] = useState<ValidateEnv>(() => (running ? (op.state.input?.env ?? initialEnv) : initialEnv));
  const opened = useRef(false);
  const { run, cancel } = op;

  // On opening (unless a job already runs) and on each new environment: a fresh job, the one in flight cancelled.
  useEffect(() => {
    const reopened = !opened.current;
    opened.current = true;
    if (reopened && running) return;
    if (!reopened) cancel();
    void run({ env });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [env]);

  const cycleEnv = useCallback(
    () => setEnv((e) => (e === 'development' ? 'staging' : e === 'staging' ? 'production' : 'development')),
    [],
  );
  const rerun = useCallback(() => {
    if (!running) void run({ env });
  }, [env, run, running]);
  return {
    env,
    checks: op.state.items,
    result: op.state.result,
    error: op.state.status === 'failed' ? op.state.error : undefined,
    running,
    phase: op.state.progress?.phase,
    rerun,
    cycleEnv,
    cancel,
  };
}
