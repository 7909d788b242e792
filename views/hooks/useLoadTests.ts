import { useEffect, useState } from 'react';
import type { ProgressItemFor } from '../../commands/catalog.js';
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
  const runOp = useOperation('loadtest.run');
  const compareOp = useOperation('loadtest.compare');
  const [panel, setPanel] = useState<LoadTestsPanel>('none');
  const [rpsSeries, setRpsSeries] = useState<number[]>([]);
  const [runningProfile, setRunningProfile] = useState<string>();
  const [baseline, setBaseline] = useState<number>();

  const progress = runOp.state.progress;
  const live =
    runOp.state.status === 'running' ? (progress?.item as ProgressItemFor<'loadtest.run'> | undefined) : undefined;
  useEffect(() => {
    // One sparkline point per tick of the measured phase (each tick carries the last second's throughput).
    if (live && live.phase === 'measure') setRpsSeries((s) => [...s, live.rps].slice(-LIVE_POINTS));
  }, [live]);

  const start = (profile: string) => {
    if (runOp.state.status === 'running') return;
    setRunningProfile(profile);
    setRpsSeries([]);
    setPanel('live');
    void runOp.run({ profile }).then((r) => {
      setPanel(r ? 'result' : 'live');
      history.refresh();
    });
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
    runningProfile,
    panel,
    closePanel: () => setPanel('none'),
    start,
    compare,
    baseline,
    toggleBaseline,
  };
}
