import { useCallback, useEffect, useRef, useState } from 'react';
import type { InputFor, ResultFor } from '../../commands/catalog.js';
import { useServices } from '../services/services.js';
import { productionName } from './useConfirmGate.js';
import { useOperation } from './useOperation.js';
import { useResource } from './useResource.js';

/** Runs fetched per request: the list pages from the store as the selection nears the end of what is loaded. */
export const RUNS_PAGE = 200;
export const RUNS_REFRESH_MS = 5_000;
const RUNNING_REFRESH_MS = 1_000;

/** One run of the list (etl.history's row). */
export type RunListItem = ResultFor<'etl.history'>['runs'][number];

/** The statuses the store filters on (`f` cycles the first three; `/failed` and the like ask the store too). */
export const RUN_STATUS_FILTERS = ['all', 'failed', 'running'] as const;
export type RunStatusFilter = NonNullable<InputFor<'etl.history'>['status']>;
export const RUN_STATUS_WORDS: readonly RunStatusFilter[] = ['failed', 'running', 'orphaned', 'succeeded', 'cancelled'];
/** Pages read at most in one refresh to join the newest runs to those loaded; beyond, the list starts again. */
const GAP_PAGES = 5;

/**
 * The Runs pane's data: pipeline runs newest first, a page at a time (keyset pagination on the run id, so thousands
 * of runs never load at once), refreshed in the background, optionally only runs of one status (the store filters,
 * so a failed run 3,000 runs back is found without paging through the others).
 *
 * A refresh reads the newest page and joins it to what is loaded: when more runs arrived than one page holds, it reads
 * on (keyset, older than the page) until it meets the newest loaded run, so the list never has a gap (the old
 * offset-like merge showed run 1822 followed by run 19 after 2,000 new runs). After GAP_PAGES pages without meeting
 * it, the loaded runs are dropped and paging starts again from the fresh pages: still no gap.
 */
export function useRunsList(running: boolean, status?: RunStatusFilter) {
  const services = useServices();
  const [runs, setRuns] = useState<RunListItem[]>([]);
  const [total, setTotal] = useState(0);
  const [nextBeforeId, setNextBeforeId] = useState<number | null>(null);
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(false);
  const [refreshedAt, setRefreshedAt] = useState<number>();
  const inFlight = useRef(false);
  /** A refresh asked for while another read was in flight: run it when that one ends. */
  const again = useRef(false);
  const mounted = useRef(true);
  const loaded = useRef<RunListItem[]>([]);
  const nextRef = useRef<number | null>(null);
  /** Bumped when the status filter changes: a read started for the old filter is thrown away. */
  const generation = useRef(0);

  const fetchPage = useCallback(
    async (beforeId?: number): Promise<ResultFor<'etl.history'>> =>
      services.run('etl.history', {
        limit: RUNS_PAGE,
        ...(status ? { status } : {}),
        ...(beforeId ? { beforeId } : {}),
      }),
    [services, status],
  );

  const apply = (list: RunListItem[], next: number | null, count: number) => {
    loaded.current = list;
    nextRef.current = next;
    setRuns(list);
    setNextBeforeId(next);
    setTotal(count);
  };

  const guarded = useCallback(async (work: (current: () => boolean) => Promise<void>) => {
    if (inFlight.current) {
      again.current = true;
      return;
    }
    inFlight.current = true;
    setLoading(true);
    const gen = generation.current;
    const current = () => mounted.current && gen === generation.current;
    try {
      await work(current);
      if (current()) setError(undefined);
    } catch (e) {
      if (current()) setError(e instanceof Error ? e : new Error(String(e)));
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
      void guarded(async (current) => {
        let page = await fetchPage();
        const fresh = [...page.runs];
        const newest = loaded.current[0]?.id;
        for (let n = 1; newest !== undefined && n < GAP_PAGES; n++) {
          const oldest = fresh.at(-1)?.id;
          if (page.nextBeforeId === null || oldest === undefined || oldest <= newest) break;
          page = await fetchPage(page.nextBeforeId);
          fresh.push(...page.runs);
        }
        if (!current()) return;
        const oldest = fresh.at(-1)?.id ?? Infinity;
        const met = newest === undefined || page.nextBeforeId === null || oldest <= newest;
        const older = met ? loaded.current.filter((r) => r.id < oldest) : [];
        apply([...fresh, ...older], older.length ? nextRef.current : page.nextBeforeId, page.total);
      }).then(() => {
        if (again.current && mounted.current) {
          again.current = false;
          latestRefresh.current();
        }
      }),
    [fetchPage, guarded],
  );
  const latestRefresh = useRef(refresh);
  latestRefresh.current = refresh;

  const loadMore = useCallback(() => {
    const before = nextRef.current;
    if (before === null || inFlight.current) return;
    void guarded(async (current) => {
      const page = await fetchPage(before);
      if (!current()) return;
      const seen = new Set(loaded.current.map((r) => r.id));
      apply([...loaded.current, ...page.runs.filter((r) => !seen.has(r.id))], page.nextBeforeId, page.total);
    });
  }, [fetchPage, guarded]);

  // A new status filter is a new list: forget what was loaded for the old one.
  useEffect(() => {
    generation.current += 1;
    loaded.current = [];
    nextRef.current = null;
    setRuns([]);
    setNextBeforeId(null);
    setTotal(0);
  }, [status]);

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
  // A sync pipeline writes into its target: a production one is started only after its name is typed.
  const config = services.loaded.config;
  const asked = asking === undefined ? undefined : config.pipelines[asking];
  const typed = asked?.kind === 'sync' ? productionName(config, asked.target) : undefined;
  return {
    pipelines,
    pipeline,
    next: () => setChosen((c) => c + 1),
    asking,
    typed,
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
