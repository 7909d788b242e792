import type { ServiceConfig } from '../../config/sections/services.js';
import { redactUrlPasswords } from '../../log/redact.js';
import { probeService, type ServiceReport } from '../services/probe.js';
import type { ComponentHealth, HealthCheck, HealthProvider } from '../types.js';

/** Every HTTP service under `services`: its health endpoints and, when it has one, its Prometheus metrics. */
export const serviceHealthChecks: HealthProvider = (config) =>
  Object.entries(config.services).map(([name, service]) => serviceHealthCheck(name, service));

export function serviceHealthCheck(name: string, service: ServiceConfig): HealthCheck {
  const where = service.health[0]?.url ?? service.metrics?.url ?? '';
  return {
    id: `service:${name}`,
    name,
    label: `service ${name}`,
    group: 'service',
    kind: service.metrics ? 'http+metrics' : 'http',
    location: redactUrlPasswords(where),
    hint: `Check that the service runs and services.${name} names its URLs.`,
    async probe(_env, { signal }) {
      const report = await probeService(name, service, signal ? { signal } : {});
      const failed = report.endpoints.find((e) => !e.ok);
      const error = failed
        ? `${failed.url}: ${failed.error}`
        : !report.up && report.metricsError
          ? `${report.metricsUrl}: ${report.metricsError}`
          : undefined;
      const latencies = report.endpoints.map((e) => e.latencyMs);
      return {
        status: report.up ? 'up' : 'down',
        ...(error ? { error } : {}),
        ...(latencies.length ? { latencyMs: Math.max(...latencies) } : {}),
        details: { service: report },
      };
    },
  };
}

/** The service report a service component carries (undefined for other components, or one whose probe threw). */
export function serviceReport(component: ComponentHealth): ServiceReport | undefined {
  if (component.group !== 'service') return undefined;
  return component.details?.service as ServiceReport | undefined;
}
