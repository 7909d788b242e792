import { useRef } from 'react';
import type { ResultFor } from '../../commands/catalog.js';
import { serviceReport } from '../../src/health/checks/services.js';
import { targetConnections } from '../../src/health/checks/targets.js';
import type { ComponentHealth } from '../../src/health/types.js';
import { useServices } from '../services/services.js';
import { useResource } from './useResource.js';

export const HEALTH_REFRESH_MS = 5_000;
/** Points kept per series: an hour at the refresh interval. */
const KEEP = 720;

/** One measured figure of a component over the session: req/s, p95, a target's connections… */
export interface Series {
  label: string;
  unit: 'rate' | 'percent' | 'ms' | 'bytes' | 'count';
  points: Array<{ at: number; value: number }>;
}

/** The figures a component's round gives, by series label. */
function figures(c: ComponentHealth): Array<[string, Series['unit'], number | undefined]> {
  const v = serviceReport(c)?.vitals;
  if (c.group === 'service')
    return [
      ['req/s', 'rate', v?.rps],
      ['errors', 'percent', v?.errorRate],
      ['p95', 'ms', v?.p95Ms],
      ['p99', 'ms', v?.p99Ms],
      ['CPU', 'percent', v?.cpuPercent],
      ['RSS', 'bytes', v?.rssBytes],
      ...(v?.watched ?? []).map((w): [string, Series['unit'], number | undefined] => [w.label, 'count', w.value]),
    ];
  const n = targetConnections(c);
  return [
    ['connections', 'count', n?.inUse],
    ['latency', 'ms', c.latencyMs],
  ];
}

/**
 * The Health pane's logic: a `health` round over every service and target every few seconds (each round compares its
 * scrape with the previous one, so rates cover the refresh interval), and every figure's history over the session for
 * the sparklines. A round that failed keeps the last good values on screen.
 */
export function useHealth() {
  const services = useServices();
  const history = useRef(new Map<string, Map<string, Series>>());
  // Recorded as each round arrives, before it is rendered, so the sparklines and the table show the same round.
  const record = (r: ResultFor<'health'>) => {
    const at = Date.parse(r.checkedAt);
    for (const c of r.components) {
      const byLabel = history.current.get(c.id) ?? new Map<string, Series>();
      history.current.set(c.id, byLabel);
      for (const [label, unit, value] of figures(c)) {
        if (value === undefined) continue;
        const s = byLabel.get(label) ?? { label, unit, points: [] };
        s.points.push({ at, value });
        if (s.points.length > KEEP) s.points.splice(0, s.points.length - KEEP);
        byLabel.set(label, s);
      }
    }
    return r;
  };
  const round = useResource(async (signal) => record(await services.run('health', { timeoutMs: 15_000 }, { signal })), {
    intervalMs: HEALTH_REFRESH_MS,
  });
  const data = round.data;
  return {
    round,
    components: data?.components ?? [],
    crossed: data?.crossed ?? [],
    /** The series of one component, in the order its figures are listed. */
    seriesOf: (id: string): Series[] => [...(history.current.get(id)?.values() ?? [])],
  };
}
