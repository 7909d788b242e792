import { useMemo, useState } from 'react';
import type { ResultFor } from '../../commands/catalog.js';
import { useConfirmGate } from './useConfirmGate.js';
import { useOperation } from './useOperation.js';
import { useResource } from './useResource.js';
import { useServices } from '../services/services.js';

export const LOADTESTS_REFRESH_MS = 30_000;
/** Live samples kept for the throughput sparkline. */
const LIVE_POINTS = 60;

export type LoadTestsPanel = 'none' | 'live' | 'result' | 'compare';
export type LoadTestProfile = ResultFor<'loadtest.history'>['profiles'][number];

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
  // One sparkline point per measured second: ticks come about 4 times a second and each carries the throughput of
  // the last closed second, so plotting every tick drew each second 3 or 4 columns wide.
  const rpsSeries = useMemo(() => {
    const points: number[] = [];
    let second = 0;
    for (const t of items) {
      if (t.phase !== 'measure' || t.seconds <= second) continue;
      second = t.seconds;
      points.push(t.rps);
    }
    return points.slice(-LIVE_POINTS);
  }, [items]);

  // Enter on a profile sends real load to its URL: the console says where, how hard and how long, and asks first.
  const gate = useConfirmGate();
  const start = (p: LoadTestProfile) => {
    if (runOp.state.status === 'running') return;
    const load =
      p.model === 'open' ? `open model, ${p.rate ?? '?'} requests/s` : `closed model, ${p.connections} connections`;
    const bound = [p.duration ? `for ${p.duration}` : '', p.requests ? `up to ${p.requests} requests` : '']
      .filter(Boolean)
      .join(' or ');
    gate.ask({
      action: `Start load test ${p.name}: ${p.method} ${p.url} · ${load} · ${bound || 'for 10s'}, after a ${p.warmup} warmup`,
      confirmLabel: 'Start',
      quick: true,
      go: () => {
        setPanel('live');
        void runOp.run({ profile: p.name });
      },
    });
  };

  const compare = (runId: number) => {
    setPanel('compare');
    void compareOp.run({ run: runId, ...(baseline && baseline !== runId ? { baseline } : {}) });
  };

  const toggleBaseline = (runId: number) => setBaseline((b) => (b === runId ? undefined : runId));

  // What done/total count: milliseconds in the warm-up and in a run bounded by time (the default), requests in a run
  // bounded only by a request count (as the engine reports them).
  const runningProfile = runOp.state.input?.profile;
  const row = history.data?.profiles.find((p) => p.name === runningProfile);
  const byRequests = progress?.phase !== 'warm-up' && row?.duration === null && row.requests !== null;
  return {
    history,
    run: runOp.state,
    progressUnit: byRequests ? ('requests' as const) : ('time' as const),
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
    gate,
    compare,
    baseline,
    toggleBaseline,
  };
}
