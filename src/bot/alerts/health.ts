import { serviceReport } from '../../health/checks/services.js';
import { targetConnections, targetCrossings } from '../../health/checks/targets.js';
import type { ComponentHealth } from '../../health/types.js';
import type { AlertSource, GaugeSample, Incident } from './types.js';

const kindOf = (c: ComponentHealth) => (c.group === 'service' ? 'Service' : 'Target');

/**
 * Services and database targets, from one `health` round: a component down, a service threshold crossed (error rate,
 * p50/p95/p99, CPU held for cpuFor, memory, throughput, a watched metric) and a target near its connection limit each
 * open their own incident, keyed by component and threshold, so each is sent once and cleared once. The bot is a
 * long-lived process: the service memory keeps each round's scrape and how long CPU has been high between rounds.
 */
export const healthSource: AlertSource = {
  name: 'health',
  metrics: ['opsctl_service_up', 'opsctl_target_up', 'opsctl_target_connections'],
  async check(ctx) {
    const round = await ctx.invoke('health', {});
    const incidents: Incident[] = [];
    const gauges: GaugeSample[] = [];
    for (const c of round.components) {
      if (c.group === 'service')
        gauges.push({ metric: 'opsctl_service_up', labels: { service: c.name }, value: c.status === 'up' ? 1 : 0 });
      // A busy (held by another process) or absent target has no sample: neither up nor down is known.
      if (c.group === 'target' && (c.status === 'up' || c.status === 'down'))
        gauges.push({ metric: 'opsctl_target_up', labels: { target: c.name }, value: c.status === 'up' ? 1 : 0 });
      const connections = targetConnections(c);
      if (connections)
        gauges.push({ metric: 'opsctl_target_connections', labels: { target: c.name }, value: connections.inUse });
      if (c.status === 'down') {
        incidents.push({
          key: `down:${c.id}`,
          title: `${kindOf(c)} down: ${c.name}`,
          text: [c.error, c.hint].filter(Boolean).join('\n') || 'down',
        });
        continue;
      }
      for (const x of serviceReport(c)?.crossed ?? [])
        incidents.push({ key: `${c.id}:${x.key}`, title: `Threshold crossed: ${c.name} ${x.key}`, text: x.text });
      for (const x of targetCrossings(c))
        incidents.push({
          key: `${c.id}:${x.key}`,
          title: `Target near its connection limit: ${c.name}`,
          text: `${x.text} (health.connections; opsctl db top ${c.name} shows who holds them)`,
        });
    }
    return { incidents, gauges };
  },
};
