import type { Command } from 'commander';
import type { ResultFor } from '../../../commands/catalog.js';
import { ago, duration, plural } from '../../format.js';
import { action } from '../action.js';
import { finiteNumber, texts } from '../args.js';
import type { TextOut } from '../output.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(
      'What needs attention now (failed pipelines, orphaned runs, lag, quarantine, costs, backups, migrations, load tests) and every component (exit 1 when anything is critical)',
    )
    .option('--timeout <ms>', 'how long to wait for each component', '5000')
    .option('--target <name...>', 'only these database targets')
    .option('--deep', 'open embedded PGlite targets (boots PostgreSQL in WASM) instead of checking their files')
    .helpGroup('Overview:')
    .addHelpText(
      'after',
      `
An embedded PGlite target is checked from its files (PG_VERSION, pg_control's CRC, no server or opsctl process
holding it) without booting PostgreSQL; --deep opens it and asks the server its version.

Below the components, the triage board: each problem ranked critical or warning, with since when and the command
that fixes or explains it. Exit codes cron can trust: 0 nothing critical (warnings allowed); 1 something critical
(a component or the bot down, a pipeline whose last run failed, a backup past backups.maxAgeHours or whose last
verify failed, a dirty migration, a gated load test that breached, a cost level at costs.failAtPercent); 2 bad
usage or config.

Examples:
  opsctl status
  opsctl status --json | jq '.items[] | select(.severity == "critical")'
  opsctl status --json --target local --deep`,
    )
    .action(
      action({
        operation: 'status.triage',
        input: (_args, o) => ({
          timeoutMs: finiteNumber(o.timeout, '--timeout'),
          targets: texts(o.target),
          deep: o.deep === true,
        }),
        render: renderStatus,
        exitCode: (r) => (r.critical > 0 ? 1 : 0),
      }),
    );
}

export function renderStatus(r: ResultFor<'status.triage'>, out: TextOut): void {
  renderComponents(r, out);
  out.line();
  renderTriage(r, out);
}

/** The triage board: critical first, each item with since-when and its command. */
export function renderTriage(r: ResultFor<'status.triage'>, out: TextOut): void {
  if (r.items.length === 0) {
    out.line(out.c.green('nothing needs attention'));
    return;
  }
  out.line(out.c.bold(`${plural(r.critical, 'critical problem')}, ${plural(r.warning, 'warning')}`));
  for (const item of r.items) {
    const mark = item.severity === 'critical' ? out.c.red('CRIT') : out.c.yellow('WARN');
    out.line(`${mark} ${item.title}${item.since ? out.c.dim(` (since ${ago(item.since)})`) : ''}`);
    if (item.detail) out.line(`     ${item.detail}`);
    out.line(`     ${out.c.dim('→')} ${out.c.cyan(item.command)}`);
  }
}

export function renderComponents(r: ResultFor<'status'>, out: TextOut): void {
  out.kv([
    ['opsctl', r.opsctlVersion],
    ['environment', r.environment],
    ['config', r.configFile ?? '(embedded defaults)'],
    ['home', r.home],
  ]);
  out.line();
  const rows = r.components;
  out.table(rows, [
    { header: 'COMPONENT', value: (c) => c.label },
    { header: 'KIND', value: (c) => c.kind },
    { header: 'STATUS', value: (c) => c.status, color: (t, c) => statusColor(out, c, t) },
    { header: 'VERSION', value: (c) => c.version ?? '' },
    { header: 'LATENCY', value: (c) => (c.latencyMs === undefined ? '' : duration(c.latencyMs)), align: 'right' },
    { header: 'WHERE', value: (c) => c.location },
  ]);
  for (const c of rows.filter((c) => c.error)) {
    out.line();
    out.line(`${out.c.red(c.label)}: ${c.error}`);
    if (c.hint) out.line(`  ${out.c.dim('hint')}: ${c.hint}`);
  }
}

function statusColor(out: TextOut, c: ResultFor<'status'>['components'][number], text: string): string {
  switch (c.status) {
    case 'up':
      return out.c.green(text);
    case 'down':
      return out.c.red(text);
    case 'busy':
      return out.c.yellow(text);
    default:
      return out.c.dim(text);
  }
}
