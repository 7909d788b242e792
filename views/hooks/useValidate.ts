import { useCallback, useEffect, useRef, useState } from 'react';
import type { ProgressItemFor, ResultFor } from '../../commands/catalog.js';
import { useServices } from '../services/services.js';

type ValidateResult = ResultFor<'validate'>;
export type CheckResult = ProgressItemFor<'validate'>;
export type ValidateEnv = ValidateResult['env'];

/** Runs the gate from the console, collecting each check as it streams in (the operation's progress items). */
export function useValidate(initialEnv: ValidateEnv) {
  const services = useServices();
  const [env, setEnv] = useState<ValidateEnv>(initialEnv);
  const [checks, setChecks] = useState<CheckResult[]>([]);
  const [result, setResult] = useState<ValidateResult>();
  const [error, setError] = useState<Error>();
  const [running, setRunning] = useState(false);
  const [phase, setPhase] = useState<string>();
  const controller = useRef<AbortController>(undefined);

  const run = useCallback(
    async (forEnv: ValidateEnv) => {
      controller.current?.abort();
      const ac = new AbortController();
      controller.current = ac;
      setChecks([]);
      setResult(undefined);
      setError(undefined);
      setRunning(true);
      try {
        const r = await services.run(
          'validate',
          { env: forEnv },
          {
            signal: ac.signal,
            onProgress: (p) => {
              if (ac.signal.aborted) return;
              setPhase(p.phase);
              if (p.item) setChecks((list) => [...list, p.item as CheckResult]);
            },
          },
        );
        if (!ac.signal.aborted) setResult(r);
      } catch (e) {
        if (!ac.signal.aborted) setError(e instanceof Error ? e : new Error(String(e)));
      } finally {
        if (controller.current === ac) setRunning(false);
      }
    },
    [services],
  );

  useEffect(() => {
    void run(env);
    return () => controller.current?.abort();
  }, [env, run]);

  const cycleEnv = useCallback(
    () => setEnv((e) => (e === 'development' ? 'staging' : e === 'staging' ? 'production' : 'development')),
    [],
  );
  const cancel = useCallback(() => {
    controller.current?.abort();
    setRunning(false);
  }, []);
  return { env, checks, result, error, running, phase, rerun: () => void run(env), cycleEnv, cancel };
}
