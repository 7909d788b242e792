import type { ComponentHealth } from '../../src/health/types.js';
import { useServices } from '../services/services.js';
import { useOperation } from './useOperation.js';
import { useResource } from './useResource.js';

export const TOP_REFRESH_MS = 10_000;

/**
 * The Health pane's actions on a database target: its running queries (`db top`, every 10 s while it is selected)
 * and cancelling the oldest one's statement or ending its session, each a job of the console that asks first (the
 * operation's confirmation: the target's name typed on production). An embedded PGlite is not opened for this: it has
 * no other sessions, and booting it costs seconds and hundreds of MB.
 */
export function useHealthActions(selected: ComponentHealth | undefined) {
  const services = useServices();
  const target =
    selected?.group === 'target' && selected.kind !== 'pglite' && selected.status === 'up' ? selected.name : undefined;
  const top = useResource(async (signal) => (target ? services.run('db.top', { target }, { signal }) : undefined), {
    intervalMs: TOP_REFRESH_MS,
    deps: [target],
  });
  const settled = { onSettled: () => top.refresh() };
  const cancel = useOperation('db.cancel', settled);
  const terminate = useOperation('db.terminate', settled);
  const queries = top.data && top.data.target === target ? top.data.queries : [];
  const oldest = queries[0];
  const pending = cancel.state.pendingConfirmation
    ? cancel
    : terminate.state.pendingConfirmation
      ? terminate
      : undefined;
  const last = [cancel, terminate]
    .filter((o) => o.state.status !== 'idle')
    .sort((a, b) => (b.state.jobId ?? 0) - (a.state.jobId ?? 0))[0]?.state;
  return {
    target,
    queries,
    oldest,
    running: cancel.state.status === 'running' || terminate.state.status === 'running',
    pending: pending
      ? { confirmation: pending.state.pendingConfirmation!, answer: (yes: boolean) => pending.answerConfirmation(yes) }
      : undefined,
    last,
    cancelOldest: () => target && oldest && void cancel.run({ target, id: oldest.id }),
    terminateOldest: () => target && oldest && void terminate.run({ target, id: oldest.id }),
  };
}
