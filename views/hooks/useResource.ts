import { useCallback, useEffect, useRef, useState } from 'react';

export interface Resource<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  refreshedAt: number | undefined;
  refresh: () => void;
}

/**
 * Loads data in the background and refreshes it every `intervalMs`; input is never blocked, a refresh that is still
 * running is not started twice, and the last good data stays on screen while the next load runs.
 */
export function useResource<T>(
  load: (signal: AbortSignal) => Promise<T>,
  options: { intervalMs?: number; deps?: unknown[] } = {},
): Resource<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(false);
  const [refreshedAt, setRefreshedAt] = useState<number>();
  const inFlight = useRef(false);
  const mounted = useRef(true);
  const controller = useRef<AbortController>(undefined);
  const loadRef = useRef(load);
  loadRef.current = load;

  const refresh = useCallback(() => {
    if (inFlight.current) return;
    inFlight.current = true;
    setLoading(true);
    const ac = new AbortController();
    controller.current = ac;
    loadRef
      .current(ac.signal)
      .then((value) => {
        if (!mounted.current) return;
        setData(value);
        setError(undefined);
      })
      .catch((e: unknown) => {
        if (mounted.current) setError(e instanceof Error ? e : new Error(String(e)));
      })
      .finally(() => {
        inFlight.current = false;
        if (!mounted.current) return;
        setLoading(false);
        setRefreshedAt(Date.now());
      });
  }, []);

  useEffect(() => {
    mounted.current = true;
    refresh();
    const timer = options.intervalMs ? setInterval(refresh, options.intervalMs) : undefined;
    return () => {
      mounted.current = false;
      controller.current?.abort();
      if (timer) clearInterval(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, options.deps ?? []);

  return { data, error, loading, refreshedAt, refresh };
}
