import { useMemo, useState } from 'react';
import { useOperation } from './useOperation.js';
import { useResource } from './useResource.js';
import { useServices } from '../services/services.js';

export const LOADTESTS_REFRESH_MS = 30_000;
/** Live samples kept for the throughput sparkline. */
const LIVE_POINTS = 60;

export type LoadTestsPanel = 'none' | 'live' | 'result' | 'compare';

/**
 * The Load tests pane's logic: profiles and stored runs (refreshed in the background), running a profile with live
 * throughput and percentiles, and comparing a run with a baseline (a marked run, else the previous run of its profile).
 */
export function useLoadTests() {
  const services = useServices();
  const history = useResource(async (signal) => services.run('loadtest.history', { limit: 50 }, { signal }), {
    intervalMs: LOADTESTS_REFRESH_MS,
  });
  // The run is a job of the app: it goes on when the pane is left, and the pane shows it again when it comes back.
  const runOp = useOperation('loadtest.run', {
    onSettled: (job) => {
      if (job.status === 'done') setPanel('result');
      history.refresh();
    },
  });
  const compareOp = useOperation('loadtest.compare');
  const [panel, setPanel] = useState<LoadTestsPanel>(() =>
    runOp.state.status === 'running' ? 'live' : runOp.state.status === 'done' ? 'result' : 'none',
  );
  const [baseline, setBaseline] = useState<number>();

  const progress = runOp.state.progress;
  const items = runOp.state.items;
  const live = runOp.state.status === 'running' ? items.at(-1) : undefined;
  // One sparkline point per tick of the measured phase (each tick carries the last second's throughput).
  const rpsSeries = useMemo(
    () =>
      items
        .filter((t) => t.phase === 'measure')
        .map((t) => t.rps)
        .slice(-LIVE_POINTS),
    [items],
  );

  const start = (profile: string) => {
    if (runOp.state.status === 'running') return;
    setPanel('live');
    void runOp.run({ profile });
  };

  const compare = (runId: number) => {
    setPanel('compare');
    void compareOp.run({ run: runId, ...(baseline && baseline !== runId ? { baseline } : {}) });
  };

  const toggleBaseline = (runId: number) => setBaseline((b) => (b === runId ? undefined : runId));

  return {
    history,
    run: runOp.state,
    cancel: runOp.cancel,
    comparison: compareOp.state,
    live,
    phase: progress?.phase,
    done: progress?.done,
    total: progress?.total,
    rpsSeries,
    runningProfile: runOp.state.input?.profile,
    panel,
    closePanel: () => setPanel('none'),
    start,
    compare,
    baseline,
    toggleBaseline,
  };
}
