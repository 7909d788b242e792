import type { Command } from 'commander';
import type { ResultFor } from '../../../commands/catalog.js';
import { bytes, duration, latency, percent, rate } from '../../format.js';
import { serviceReport } from '../../health/checks/services.js';
import { targetConnections } from '../../health/checks/targets.js';
import { watchedText } from '../../health/services/vitals.js';
import type { ComponentHealth } from '../../health/types.js';
import { action } from '../action.js';
import { finiteNumber, texts } from '../args.js';
import type { TextOut } from '../output.js';

/** One round of `opsctl health` (each --watch round arrives as a progress item of this shape). */
type HealthRound = Omit<ResultFor<'health'>, 'rounds'>;

export function registerHealth(program: Command): void {
  program
    .command('health')
    .description(
      'Services (health endpoints, req/s, error rate, p50/p95/p99, CPU, memory, watched metrics) and database targets against their thresholds',
    )
    .option('-w, --watch', 'a round every interval until Ctrl-C (rates compare each round with the last)')
    .option('--interval <ms>', 'time between --watch rounds (default: the shortest services.<name>.interval)')
    .option('--service <name...>', 'only these services')
    .option('--target <name...>', 'only these database targets')
    .option('--timeout <ms>', "bound on each component's probe (each request has its service's own timeout)", '15000')
    .helpGroup('Overview:')
    .addHelpText(
      'after',
      `
Exit code 1 when a service or target is down or a threshold is crossed (with --watch: in the last round).
Thresholds default to the seeds' alerts (p95 > 2s, p99 > 2s, errors > 1%, CPU > 90% for 5m, RSS > 7GB);
set them per service under services.<name>.thresholds.

Examples:
  opsctl health                       one round: every service and target
  opsctl health --service invoice-bot --json
  opsctl health --watch --interval 5000`,
    )
    .action(
      action({
        operation: 'health',
        input: (_args, o) => ({
          services: texts(o.service),
          targets: texts(o.target),
          timeoutMs: finiteNumber(o.timeout, '--timeout'),
          rounds: o.watch ? 0 : 1,
          intervalMs: finiteNumber(o.interval, '--interval'),
        }),
        renderItem: (item, out) => {
          const round = item as HealthRound;
          out.line(out.c.dim(`── round ${round.round} at ${round.checkedAt.slice(11, 19)} UTC`));
          renderRound(round, out);
          out.line();
        },
        render: (r, out, o) => {
          if (!o.watch) renderRound(r, out);
        },
        exitCode: (r: ResultFor<'health'>) => (r.ok ? 0 : 1),
      }),
    );
}

export function renderRound(r: HealthRound, out: TextOut): void {
  const services = r.components.filter((c) => c.group === 'service');
  const targets = r.components.filter((c) => c.group === 'target');
  const status = (text: string, c: ComponentHealth) =>
    c.status === 'up' ? out.c.green(text) : c.status === 'down' ? out.c.red(text) : out.c.dim(text);
  if (services.length) {
    out.table(services, [
      { header: 'SERVICE', value: (c) => c.name },
      { header: 'STATUS', value: (c) => c.status, color: status },
      { header: 'HEALTH', value: (c) => endpointsText(c) },
      { header: 'REQ/S', value: (c) => rate(serviceReport(c)?.vitals?.rps), align: 'right' },
      { header: 'ERRORS', value: (c) => percent(serviceReport(c)?.vitals?.errorRate), align: 'right' },
      { header: 'P50', value: (c) => latency(serviceReport(c)?.vitals?.p50Ms), align: 'right' },
      { header: 'P95', value: (c) => latency(serviceReport(c)?.vitals?.p95Ms), align: 'right' },
      { header: 'P99', value: (c) => latency(serviceReport(c)?.vitals?.p99Ms), align: 'right' },
      { header: 'CPU', value: (c) => percent(serviceReport(c)?.vitals?.cpuPercent), align: 'right' },
      { header: 'RSS', value: (c) => bytes(serviceReport(c)?.vitals?.rssBytes), align: 'right' },
    ]);
    for (const c of services) {
      const report = serviceReport(c);
      const watched = report?.vitals?.watched ?? [];
      if (watched.length) out.line(`  ${c.name}: ${watched.map((w) => `${w.label} ${watchedText(w)}`).join(', ')}`);
      if (report?.metricsError) out.line(out.c.yellow(`  ${c.name} metrics: ${report.metricsError}`));
      for (const p of report?.pending ?? []) out.line(out.c.yellow(`  ${c.name}: ${p}`));
    }
  } else out.line(out.c.dim('(no services configured: add services.<name> to opsctl.config.json)'));
  if (targets.length) {
    out.line();
    out.table(targets, [
      { header: 'TARGET', value: (c) => c.name },
      { header: 'STATUS', value: (c) => c.status, color: status },
      { header: 'KIND', value: (c) => c.kind },
      { header: 'VERSION', value: (c) => c.version ?? '' },
      { header: 'CONNECTIONS', value: (c) => connectionsText(c), align: 'right' },
      { header: 'LATENCY', value: (c) => (c.latencyMs === undefined ? '' : duration(c.latencyMs)), align: 'right' },
    ]);
  }
  if (r.crossed.length) {
    out.line();
    out.line(out.c.red(out.c.bold('thresholds crossed')));
    for (const x of r.crossed) out.line(`  ${x.component}: ${x.text}`);
  }
  for (const c of r.components.filter((c) => c.status === 'down')) {
    out.line();
    out.line(`${out.c.red(c.label)} down: ${c.error ?? ''}`);
    if (c.hint) out.line(`  ${out.c.dim('hint')}: ${c.hint}`);
  }
}

function endpointsText(c: ComponentHealth): string {
  const endpoints = serviceReport(c)?.endpoints ?? [];
  if (!endpoints.length) return '-';
  const ok = endpoints.filter((e) => e.ok).length;
  return `${ok}/${endpoints.length} ok ${latency(Math.max(...endpoints.map((e) => e.latencyMs)))}`;
}

function connectionsText(c: ComponentHealth): string {
  const n = targetConnections(c);
  return n ? `${n.inUse}/${n.max} ${percent(n.percent)}` : '';
}
