import { useCallback, useRef, useState } from 'react';
import type { Operation, Progress } from '../../commands/operation.js';
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
 * Runs one operation from a pane: progress, cancellation and the confirmation round-trip (the operation refuses
 * without `confirm: true`, the pane asks, and only a yes re-runs it confirmed).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any operation's input; the pane builds it
export function useOperation<R>(load: () => Promise<Operation<any, R>>) {
  const services = useServices();
  const [state, setState] = useState<OperationState<R>>({
    status: 'idle',
    progress: undefined,
    result: undefined,
    error: undefined,
    pendingConfirmation: undefined,
  });
  const pendingInput = useRef<Record<string, unknown>>({});
  const controller = useRef<AbortController>(undefined);

  const run = useCallback(
    async (input: Record<string, unknown> = {}): Promise<R | undefined> => {
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
        const operation = await load();
        const result = await services.invoke(operation, input, {
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
    [load, services],
  );

  const answerConfirmation = useCallback(
    (yes: boolean) => {
      const typed = state.pendingConfirmation?.typed;
      setState((s) => ({ ...s, pendingConfirmation: undefined }));
      // The dialog made the operator type a production target's name: that is the operation's confirmTarget.
      if (yes) void run({ ...pendingInput.current, confirm: true, ...(typed ? { confirmTarget: typed } : {}) });
    },
    [run, state.pendingConfirmation],
  );

  const cancel = useCallback(() => controller.current?.abort(), []);
  return { state, run, cancel, answerConfirmation };
}
