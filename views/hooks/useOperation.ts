import { useCallback, useEffect, useRef } from 'react';
import type { InputFor, OperationName, ProgressItemFor, ResultFor } from '../../commands/catalog.js';
import type { Progress } from '../../commands/operation.js';
import type { ConfirmationRequired } from '../../src/errors.js';
import type { Job } from '../services/jobs.js';
import { useJobStore, useLatestJob } from './useJobs.js';

export interface OperationState<N extends OperationName, R = ResultFor<N>> {
  status: 'idle' | 'running' | 'done' | 'failed' | 'cancelled';
  progress: Progress | undefined;
  result: R | undefined;
  error: Error | undefined;
  /** Set when the operation asked for confirmation; the pane shows a Confirm dialog. */
  pendingConfirmation: ConfirmationRequired | undefined;
  /** What the operation streamed (validate's checks, a load test's ticks). */
  items: ProgressItemFor<N>[];
  /** What the job was started with. */
  input: InputFor<N> | undefined;
  /** The job behind this state, when there is one. */
  jobId: number | undefined;
}

function stateOf<N extends OperationName>(job: Job | undefined): OperationState<N> {
  if (!job) {
    return {
      status: 'idle',
      progress: undefined,
      result: undefined,
      error: undefined,
      pendingConfirmation: undefined,
      items: [],
      input: undefined,
      jobId: undefined,
    };
  }
  return {
    status: job.status === 'asking' ? 'idle' : job.status,
    progress: job.status === 'running' ? job.progress : undefined,
    result: job.result as ResultFor<N> | undefined,
    error: job.error,
    pendingConfirmation: job.confirmation,
    // The job store holds any operation's jobs; this slot only ever starts operation N.
    items: job.items as ProgressItemFor<N>[],
    input: job.input as InputFor<N>,
    jobId: job.id,
  };
}

/**
 * Runs one operation from a pane, by its catalog name, as a job of the app (views/services/jobs.ts): the job outlives
 * the pane, so leaving the pane and coming back shows it again, running or finished. `slot` tells apart two uses of
 * one operation in a pane (migrate.up and its dry run). Confirmation round-trip: the operation refuses without
 * `confirm: true`, the pane asks, and only a yes starts it again confirmed. `onSettled` runs when a job of this slot
 * ends while the pane is shown (a confirmed action refreshes its pane).
 */
export function useOperation<N extends OperationName>(
  name: N,
  options: { slot?: string; onSettled?: (job: Job) => void } = {},
) {
  const jobs = useJobStore();
  const owner = options.slot ?? name;
  const job = useLatestJob(owner);
  const onSettled = useRef(options.onSettled);
  onSettled.current = options.onSettled;
  const mountedAt = useRef(Date.now());
  const notified = useRef(new Set<number>());

  // The pane is showing this job: a finished one is read, and one that ended while the pane was shown is reported once.
  const finished = job && job.status !== 'running' && job.status !== 'asking' ? job : undefined;
  useEffect(() => {
    if (!finished) return;
    if (!finished.read) jobs.markRead(finished.id);
    if (notified.current.has(finished.id)) return;
    notified.current.add(finished.id);
    if ((finished.finishedAt ?? 0) >= mountedAt.current) onSettled.current?.(finished);
  }, [finished, jobs]);

  const run = useCallback(
    async (input: InputFor<N>): Promise<ResultFor<N> | undefined> => {
      const started = jobs.start(name, input, owner);
      const ended = await jobs.wait(started.id);
      return ended?.status === 'done' ? (ended.result as ResultFor<N>) : undefined;
    },
    [jobs, name, owner],
  );

  const answerConfirmation = useCallback(
    (yes: boolean) => {
      const latest = jobs.latest(owner);
      if (latest) jobs.answer(latest.id, yes);
    },
    [jobs, owner],
  );

  const cancel = useCallback(() => {
    const latest = jobs.latest(owner);
    if (latest) jobs.cancel(latest.id);
  }, [jobs, owner]);

  return { state: stateOf<N>(job), run, cancel, answerConfirmation };
}
