import { useCallback, useRef, useState } from 'react';
import type { InputFor, OperationName, ResultFor } from '../../commands/catalog.js';
import type { Progress } from '../../commands/operation.js';
import { ConfirmationRequired } from '../../src/errors.js';
import { useServices } from '../services/services.js';

export interface OperationState<R> {
  status: 'idle' | 'running' | 'done' | 'failed' | 'cancelled';
  progress: Progress | undefined;
  result: R | undefined;
  error: Error | undefined;
  /** Set when the operation asked for confirmation; the pane shows a Confirm dialog. */
  pendingConfirmation: ConfirmationRequired | undefined;
}

/**
 * Runs one operation from a pane, by its catalog name: progress, cancellation and the confirmation round-trip (the
 * operation refuses without `confirm: true`, the pane asks, and only a yes re-runs it confirmed).
 */
export function useOperation<N extends OperationName>(name: N) {
  const services = useServices();
  const [state, setState] = useState<OperationState<ResultFor<N>>>({
    status: 'idle',
    progress: undefined,
    result: undefined,
    error: undefined,
    pendingConfirmation: undefined,
  });
  const pendingInput = useRef<InputFor<N>>(undefined);
  const controller = useRef<AbortController>(undefined);

  const run = useCallback(
    async (input: InputFor<N>): Promise<ResultFor<N> | undefined> => {
      const ac = new AbortController();
      controller.current = ac;
      pendingInput.current = input;
      setState((s) => ({
        ...s,
        status: 'running',
        progress: undefined,
        error: undefined,
        pendingConfirmation: undefined,
      }));
      try {
        const result = await services.run(name, input, {
          signal: ac.signal,
          onProgress: (p) => setState((s) => ({ ...s, progress: p })),
        });
        setState((s) => ({ ...s, status: 'done', result }));
        return result;
      } catch (e) {
        if (e instanceof ConfirmationRequired) {
          setState((s) => ({ ...s, status: 'idle', pendingConfirmation: e }));
          return undefined;
        }
        const error = e instanceof Error ? e : new Error(String(e));
        setState((s) => ({ ...s, status: ac.signal.aborted ? 'cancelled' : 'failed', error }));
        return undefined;
      }
    },
    [name, services],
  );

  const answerConfirmation = useCallback(
    (yes: boolean) => {
      const typed = state.pendingConfirmation?.typed;
      setState((s) => ({ ...s, pendingConfirmation: undefined }));
      const input = pendingInput.current;
      // The operations that ask take `confirm` in their input; the confirmed re-run adds it to what was asked. The
      // dialog made the operator type a production target's name: that is the operation's confirmTarget.
      if (yes && input) void run({ ...input, confirm: true, ...(typed ? { confirmTarget: typed } : {}) });
    },
    [run, state.pendingConfirmation],
  );

  const cancel = useCallback(() => controller.current?.abort(), []);
  return { state, run, cancel, answerConfirmation };
}
