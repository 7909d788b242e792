import type { Command } from 'commander';
import type { ResultFor } from '../../../commands/catalog.js';
import { bytes, percent, usd } from '../../format.js';
import { action, type Options } from '../action.js';
import { positiveNumber, required, text, wholeNumber } from '../args.js';
import type { TextOut } from '../output.js';

type CostReport = ResultFor<'costs.report'>;
type CostsCheck = ResultFor<'costs.check'>;
type LevelState = CostReport['crossed'][number];

const reportInput = (_args: string[], o: Options) => ({
  days: wholeNumber(o.days, '--days'),
  asOf: text(o.asOf),
});

export function registerCosts(program: Command): void {
  const costs = program
    .command('costs')
    .description(
      'BigQuery usage and cost: storage, daily queries, top queries, month-end projection against free tier and budget',
    )
    .option('--days <n>', 'days of daily usage to show (default: costs.days, 30)')
    .option('--as-of <time>', 'compute the report as of this ISO time instead of now')
    .helpGroup('Costs:')
    .addHelpText(
      'after',
      `
The projection is a linear run rate: bytes billed month to date ÷ days elapsed (today counted) × days in the month;
storage is assumed constant to month end. Months are UTC. Prices, free tier, budget and levels are in config (costs.*).
On the embedded DuckDB warehouse the same report prices the DuckDB tables and opsctl's own reads at BigQuery's rates.

Examples:
  opsctl costs --days 7
  opsctl costs check            # exit 1 when the projection crosses costs.failAtPercent (cron, the bot)
  opsctl costs estimate "SELECT artist_id FROM spotify_data.top_artists WHERE DATE(extracted_at) = CURRENT_DATE()"`,
    )
    .action(
      action({
        operation: 'costs.report',
        input: reportInput,
        render: renderReport,
      }),
    );

  costs
    .command('check')
    .description('Exit 1 when the month-end projection crosses a cost level (budget or free tier)')
    .option('--fail-at <percent>', 'fail at this level or above (default: costs.failAtPercent, 100)')
    .action(
      action({
        operation: 'costs.check',
        input: (a, o) => ({ ...reportInput(a, o), failAtPercent: positiveNumber(o.failAt, '--fail-at') }),
        render: renderCheck,
        exitCode: (r) => (r.ok ? 0 : 1),
      }),
    );

  costs
    .command('estimate')
    .description(
      'Dry-run a query on BigQuery: bytes it would scan and bill, its price, and whether maximumBytesBilled lets it run',
    )
    .argument('<sql>', 'the query, quoted')
    .action(
      action({
        operation: 'costs.estimate',
        input: (args) => ({ sql: required(args, 0, '<sql>') }),
        render(r, out) {
          out.kv([
            ['bytes processed', `${bytes(r.bytesProcessed)} (${r.bytesProcessed})`],
            ['bytes billed', `${bytes(r.bytesBilled)} (minimum 10 MiB per query)`],
            ['on-demand price', usd(r.usd)],
            [
              'cap',
              `${bytes(r.maximumBytesBilled)} maximumBytesBilled: ${r.withinCap ? 'within' : 'OVER: BigQuery would refuse it and charge nothing'}`,
            ],
          ]);
        },
        exitCode: (r) => (r.withinCap ? 0 : 1),
      }),
    );

  costs
    .command('snapshot')
    .description("Store today's cost snapshot in the state store (run daily from cron to keep the trend)")
    .action(
      action({
        operation: 'costs.snapshot',
        input: () => ({}),
        render: (s, out) => out.line(`snapshot for ${s.day} stored: projected ${usd(s.projectedUsd)}`),
      }),
    );
}

const levelText = (l: LevelState) => `${l.subject} ${percent(l.percent)} (level ${l.level}%)`;

export function renderReport(r: CostReport, out: TextOut): void {
  out.kv([
    ['warehouse', r.location],
    ['month', `${r.month.start} → ${r.month.end} (day ${r.month.elapsedDays} of ${r.month.daysInMonth})`],
    [
      'month to date',
      `${usd(r.monthToDate.totalUsd)}  queries ${bytes(r.monthToDate.bytesBilled)} billed (${usd(r.monthToDate.queryUsd)}), storage ${usd(r.monthToDate.storageUsd)}`,
    ],
    [
      'projection',
      `${usd(r.projection.totalUsd)}  queries ${bytes(r.projection.bytesBilled)} (${usd(r.projection.queryUsd)}), storage ${usd(r.projection.storageUsd)}`,
    ],
    ['budget', `${usd(r.budget.usd)}: projection at ${percent(r.budget.percent)}`],
    [
      'free tier',
      `queries ${percent(r.freeTier.queryPercent)} of ${bytes(r.freeTier.queryBytes)}, storage ${percent(r.freeTier.storagePercent)} of ${bytes(r.freeTier.storageBytes)}`,
    ],
    [
      'opsctl jobs',
      `${bytes(r.opsctl.bytesBilled)} billed; others ${bytes(r.opsctl.otherBytesBilled)} (last ${r.days} days)`,
    ],
  ]);
  out.line(out.c.dim(`projection: ${r.projection.method}`));
  if (r.crossed.length) {
    out.line();
    for (const l of r.crossed) out.line(out.c[l.level >= 100 ? 'red' : 'yellow'](`level crossed: ${levelText(l)}`));
  }
  out.line();
  out.line(out.c.bold('Storage'));
  out.table(
    r.storage.tables,
    [
      { header: 'DATASET', value: (t) => t.dataset },
      { header: 'TABLE', value: (t) => t.table },
      { header: 'ACTIVE', value: (t) => bytes(t.activeBytes), align: 'right' },
      { header: 'LONG-TERM', value: (t) => bytes(t.longTermBytes), align: 'right' },
      { header: 'USD/MONTH', value: (t) => usd(t.monthlyUsd), align: 'right' },
    ],
    { empty: '(no tables)' },
  );
  out.line();
  out.line(out.c.bold(`Queries per day (last ${r.days} days)`));
  out.table(
    r.daily,
    [
      { header: 'DAY', value: (d) => d.day },
      { header: 'BILLED', value: (d) => bytes(d.bytesBilled), align: 'right' },
      { header: 'PROCESSED', value: (d) => bytes(d.bytesProcessed), align: 'right' },
      { header: 'JOBS', value: (d) => d.jobs, align: 'right' },
      { header: 'CACHE HITS', value: (d) => d.cacheHits, align: 'right' },
      { header: 'USD', value: (d) => usd(d.usd), align: 'right' },
    ],
    { empty: '(no queries)' },
  );
  for (const [title, rows] of [
    ['By user', r.byUser],
    ['By label', r.byLabel],
  ] as const) {
    out.line();
    out.line(out.c.bold(title));
    out.table(
      rows,
      [
        { header: 'KEY', value: (b) => b.key },
        { header: 'BILLED', value: (b) => bytes(b.bytesBilled), align: 'right' },
        { header: 'JOBS', value: (b) => b.jobs, align: 'right' },
      ],
      { empty: '(none)' },
    );
  }
  out.line();
  out.line(out.c.bold('Most expensive queries'));
  out.table(
    r.top,
    [
      { header: 'BILLED', value: (q) => bytes(q.bytesBilled), align: 'right' },
      { header: 'USER', value: (q) => q.user },
      { header: 'WHEN', value: (q) => q.createdAt.slice(0, 16) },
      { header: 'QUERY', value: (q) => q.query.replace(/\s+/g, ' ').slice(0, 70) },
    ],
    { empty: '(none)' },
  );
  for (const note of r.notes) out.line(out.c.dim(`note: ${note}`));
}

function renderCheck(r: CostsCheck, out: TextOut): void {
  out.line(
    `${r.ok ? out.c.green('OK') : out.c.red('LEVEL CROSSED')}: projection ${usd(r.projectedUsd)} of ${usd(r.budgetUsd)} budget (${percent(r.budgetPercent)}); ` +
      `query free tier ${percent(r.queryFreeTierPercent)}, storage free tier ${percent(r.storageFreeTierPercent)}`,
  );
  for (const l of r.crossed)
    out.line(`  ${r.breaches.includes(l) ? out.c.red('fail') : out.c.yellow('warn')} ${levelText(l)}`);
  if (!r.ok) out.line(out.c.dim(`fails at ${r.failAtPercent}% (costs.failAtPercent or --fail-at)`));
}
