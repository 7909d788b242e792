import { serviceReport } from '../../../src/health/checks/services.js';
import { checkHealth } from '../../../src/health/registry.js';
import { fail, pass, warn, type CheckGroup } from '../types.js';

const TIMEOUT_MS = 15_000;

/** Before a deploy, every configured service answers healthy on each of its endpoints and stays within its thresholds. */
export const servicesChecks: CheckGroup = {
  id: 'services',
  title: 'Services',
  async run(e) {
    const components = await checkHealth(e.ctx, {
      timeoutMs: TIMEOUT_MS,
      signal: e.ctx.signal,
      filter: (c) => c.group === 'service',
    });
    if (!components.length) {
      e.emit(pass('services', 'no services configured (services.<name> in opsctl.config.json)'));
      return;
    }
    for (const c of components) {
      const report = serviceReport(c);
      if (c.status !== 'up') {
        e.emit(fail(c.label, c.error ?? c.status, c.hint ?? `Check services.${c.name} and that the service runs.`));
        continue;
      }
      const endpoints = report?.endpoints ?? [];
      const crossed = report?.crossed ?? [];
      if (crossed.length) {
        e.emit(
          warn(
            c.label,
            `healthy, but ${crossed.map((x) => x.text).join('; ')}`,
            `Look at it with \`opsctl health --service ${c.name}\`; thresholds are under services.${c.name}.thresholds.`,
          ),
        );
      } else if (report?.metricsError) {
        e.emit(
          warn(
            c.label,
            `healthy, but its metrics did not read: ${report.metricsError}`,
            `Check services.${c.name}.metrics.url.`,
          ),
        );
      } else {
        e.emit(
          pass(
            c.label,
            endpoints.length
              ? `${endpoints.length} health endpoint${endpoints.length > 1 ? 's' : ''} answered as expected`
              : 'metrics answer',
          ),
        );
      }
    }
  },
};
