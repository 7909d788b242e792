import type { Command } from 'commander';
import type { ResultFor } from '../../../commands/catalog.js';
import { duration } from '../../format.js';
import { action } from '../action.js';
import { finiteNumber, texts } from '../args.js';
import type { TextOut } from '../output.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description("Check the state store, the warehouse and every database target (the console's Overview)")
    .option('--timeout <ms>', 'how long to wait for each component', '5000')
    .option('--target <name...>', 'only these database targets')
    .option('--deep', 'open embedded PGlite targets (boots PostgreSQL in WASM) instead of checking their files')
    .helpGroup('Overview:')
    .addHelpText(
      'after',
      `
An embedded PGlite target is checked from its files (PG_VERSION, pg_control's CRC, no server or opsctl process
holding it) without booting PostgreSQL; --deep opens it and asks the server its version.

Examples:
  opsctl status
  opsctl status --json --target local --deep`,
    )
    .action(
      action({
        operation: 'status',
        input: (_args, o) => ({
          timeoutMs: finiteNumber(o.timeout, '--timeout'),
          targets: texts(o.target),
          deep: o.deep === true,
        }),
        render: renderStatus,
        exitCode: (r) => (r.components.some((c) => c.status === 'down') ? 1 : 0),
      }),
    );
}

export function renderStatus(r: ResultFor<'status'>, out: TextOut): void {
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
