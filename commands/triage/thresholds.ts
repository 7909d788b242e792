import { serviceReport } from '../../src/health/checks/services.js';
import { targetCrossings } from '../../src/health/checks/targets.js';
import type { TriageSource } from './sources.js';
import type { TriageItem } from './types.js';

/**
 * Thresholds crossed by a service (error rate, p50/p95/p99, CPU held for cpuFor, memory, throughput, a watched metric)
 * or a target (connections past health.connections), read from the components the status round already probed (no
 * second probe). A component that is down is the components source's item, not a threshold.
 */
export const thresholds: TriageSource = {
  name: 'thresholds',
  async collect(_ctx, { components, now }) {
    const items: TriageItem[] = [];
    for (const c of components) {
      if (c.status !== 'up') continue;
      const service = c.group === 'service';
      const crossed = service ? (serviceReport(c)?.crossed ?? []) : targetCrossings(c);
      for (const x of crossed)
        items.push({
          id: `threshold:${c.id}:${x.key}`,
          severity: 'warning',
          kind: 'threshold',
          pane: 'overview',
          subject: c.id,
          title: `${c.label}: ${x.text}`,
          detail: service
            ? `over the last scrape window; thresholds under services.${c.name}.thresholds`
            : 'connections in use on the whole server; limits under health.connections',
          since: c.checkedAt ?? now.toISOString(),
          command: service ? `opsctl health --service ${c.name}` : `opsctl health --target ${c.name}`,
        });
    }
    return items;
  },
};
