import { useState } from 'react';
import { useServices } from '../services/services.js';
import { useResource } from './useResource.js';

export const COSTS_REFRESH_MS = 5 * 60_000;
const DAY_CHOICES = [7, 30, 90] as const;

/** The cost report, refreshed in the background; `d` cycles the days shown. */
export function useCosts() {
  const services = useServices();
  const [days, setDays] = useState<number>(services.loaded.config.costs.days);
  const report = useResource(async (signal) => services.run('costs.report', { days }, { signal }), {
    intervalMs: COSTS_REFRESH_MS,
    deps: [days],
  });
  const cycleDays = () =>
    setDays((d) => DAY_CHOICES[(DAY_CHOICES.indexOf(d as (typeof DAY_CHOICES)[number]) + 1) % DAY_CHOICES.length]!);
  return { report, days, cycleDays };
}
