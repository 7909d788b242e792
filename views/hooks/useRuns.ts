import { useCallback, useEffect, useRef, useState } from 'react';
import type { ResultFor } from '../../commands/catalog.js';
import { useServices } from '../services/services.js';
import { useOperation } from './useOperation.js';
import { useResource } from './useResource.js';

/** Runs fetched per request: the list pages from the store as the selection nears the end of what is loaded. */
export const RUNS_PAGE = 200;
export const RUNS_REFRESH_MS = 5_000;
const RUNNING_REFRESH_MS = 1_000;

/** One run of the list (etl.history's row). */
export type RunListItem = ResultFor<'etl.history'>['runs'][number];

/**
 * The Runs pane's data: pipeline runs newest first, a page at a time (keyset pagination on the run id, so thousands
 * of runs never load at once), refreshed in the background; the newest page is merged in on each refresh and the
 * older pages already loaded stay.
 */
export function useRunsList(running: boolean) {
  const services = useServices();
  const [runs, setRuns] = useState<RunListItem[]>([]);
  const [total, setTotal] = useState(0);
  const [nextBeforeId, setNextBeforeId] = useState<number | null>(null);
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(false);
  const [refreshedAt, setRefreshedAt] = useState<number>();
  const inFlight = useRef(false);
  const mounted = useRef(true);
  const loaded = useRef<RunListItem[]>([]);

  const fetchPage = useCallback(
    async (beforeId?: number): Promise<ResultFor<'etl.history'>> =>
      services.run('etl.history', { limit: RUNS_PAGE, ...(beforeId ? { beforeId } : {}) }),
    [services],
  );

  const guarded = useCallback(async (work: () => Promise<void>) => {
    if (inFlight.current) return;
    inFlight.current = true;
    setLoading(true);
    try {
      await work();
      if (mounted.current) setError(undefined);
    } catch (e) {
      if (mounted.current) setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      inFlight.current = false;
      if (mounted.current) {
        setLoading(false);
        setRefreshedAt(Date.now());
      }
    }
  }, []);

  const refresh = useCallback(
    () =>
      void guarded(async () => {
        const page = await fetchPage();
        if (!mounted.current) return;
        const oldest = page.runs.at(-1)?.id ?? Infinity;
        const older = loaded.current.filter((r) => r.id < oldest);
        loaded.current = [...page.runs, ...older];
        setRuns(loaded.current);
        setTotal(page.total);
        if (older.length === 0) setNextBeforeId(page.nextBeforeId);
      }),
    [fetchPage, guarded],
  );

  const loadMore = useCallback(() => {
    if (nextBeforeId === null) return;
    void guarded(async () => {
      const page = await fetchPage(nextBeforeId);
      if (!mounted.current) return;
      const seen = new Set(loaded.current.map((r) => r.id));
      loaded.current = [...loaded.current, ...page.runs.filter((r) => !seen.has(r.id))];
      setRuns(loaded.current);
      setTotal(page.total);
      setNextBeforeId(page.nextBeforeId);
    });
  }, [fetchPage, guarded, nextBeforeId]);

  useEffect(() => {
    mounted.current = true;
    refresh();
    const timer = setInterval(refresh, running ? RUNNING_REFRESH_MS : RUNS_REFRESH_MS);
    return () => {
      mounted.current = false;
      clearInterval(timer);
    };
  }, [refresh, running]);

  return { runs, total, hasMore: nextBeforeId !== null, error, loading, refreshedAt, refresh, loadMore };
}

/** One run in detail (etl.show), loaded when a run is opened. */
export function useRunDetail(runId: number | undefined) {
  const services = useServices();
  return useResource<ResultFor<'etl.show'> | undefined>(
    async () => {
      if (runId === undefined) return undefined;
      return services.run('etl.show', { run: runId });
    },
    { deps: [runId] },
  );
}

/** Starting a pipeline from the console: the pipeline to start, its confirmation, its live progress and its result. */
export function usePipelineStart() {
  const services = useServices();
  const pipelines = Object.entries(services.loaded.config.pipelines)
    .filter(([, p]) => p.enabled)
    .map(([name]) => name);
  const [chosen, setChosen] = useState(0);
  const [asking, setAsking] = useState<string>();
  const op = useOperation('etl.run');
  const pipeline = pipelines.length ? pipelines[chosen % pipelines.length] : undefined;
  return {
    pipelines,
    pipeline,
    next: () => setChosen((c) => c + 1),
    asking,
    ask: () => pipeline && op.state.status !== 'running' && setAsking(pipeline),
    answer: (yes: boolean) => {
      const name = asking;
      setAsking(undefined);
      if (yes && name) void op.run({ pipelines: [name] });
    },
    state: op.state,
    cancel: op.cancel,
  };
}
