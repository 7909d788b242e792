import { Box, Text } from 'ink';
import type { ResultFor } from '../../commands/catalog.js';
import type { QueryJob } from '../../src/costs/usage.js';
import { ago, bytes, percent, usd } from '../../src/format.js';
import { useCosts, COSTS_REFRESH_MS } from '../hooks/useCosts.js';
import { useKeymap } from '../hooks/keymap.js';
import { useTableNavigation } from '../hooks/useTableNavigation.js';
import { Sparkline } from '../widgets/Sparkline.js';
import { Spinner } from '../widgets/Spinner.js';
import { Table, type TableColumn } from '../widgets/Table.js';
import type { PaneProps } from './types.js';
import { FirstLoad } from '../widgets/FirstLoad.js';

type CostReport = ResultFor<'costs.report'>;

/** Colour of a share of an allowance against the configured levels: red at the top level, yellow at any other. */
function levelColor(percent: number, levels: number[]): string {
  const top = Math.max(...levels);
  if (percent >= top) return 'red';
  return levels.some((l) => percent >= l) ? 'yellow' : 'green';
}

/** A bar of the month to date, with the projection written beside it. */
function AllowanceBar({
  label,
  mtdPercent,
  projectedPercent,
  width,
  levels,
  detail,
}: {
  label: string;
  mtdPercent: number;
  projectedPercent: number;
  width: number;
  levels: number[];
  detail: string;
}) {
  const barWidth = Math.max(10, Math.min(30, width - 60));
  const filled = Math.min(barWidth, Math.round((Math.min(100, mtdPercent) / 100) * barWidth));
  const color = levelColor(projectedPercent, levels);
  return (
    <Text wrap="truncate">
      {label.padEnd(18)}
      <Text color={levelColor(mtdPercent, levels)}>{'█'.repeat(filled)}</Text>
      <Text dimColor>{'░'.repeat(barWidth - filled)}</Text>
      {` ${percent(mtdPercent).padStart(5)} → `}
      <Text color={color} bold={color !== 'green'}>
        {percent(projectedPercent)}
      </Text>
      <Text dimColor>{`  ${detail}`}</Text>
    </Text>
  );
}

export function CostsPane({ width, height }: PaneProps) {
  const { report, days, cycleDays } = useCosts();
  const r = report.data;
  const top = r?.top ?? [];
  const tableHeight = Math.max(3, Math.min(top.length + 1, height - 14));
  const nav = useTableNavigation(top.length, tableHeight - 1);
  useKeymap('pane', [
    ...nav.bindings,
    { keys: ['r'], label: 'refresh', description: 'read the usage again now', run: report.refresh },
    { keys: ['d'], label: `${days} days`, description: 'days of daily usage shown: 7 → 30 → 90', run: cycleDays },
  ]);

  if (!r) {
    return <FirstLoad error={report.error} label="reading usage…" width={width} height={height} />;
  }
  const columns: TableColumn<QueryJob>[] = [
    { header: 'BILLED', width: 10, align: 'right', value: (q) => bytes(q.bytesBilled) },
    { header: 'USER', width: 22, value: (q) => q.user },
    { header: 'WHEN', width: 11, value: (q) => q.createdAt.slice(5, 16).replace('T', ' ') },
    { header: 'QUERY', value: (q) => q.query.replace(/\s+/g, ' ') },
  ];
  const selected = top[nav.selected];
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Summary r={r} />
      <Box flexDirection="column" marginTop={1}>
        <AllowanceBar
          label="budget"
          width={width}
          levels={r.levels.map((l) => l.level)}
          mtdPercent={pct(r.monthToDate.totalUsd, r.budget.usd)}
          projectedPercent={r.budget.percent}
          detail={`${usd(r.monthToDate.totalUsd)} → ${usd(r.projection.totalUsd)} of ${usd(r.budget.usd)}`}
        />
        <AllowanceBar
          label="query free tier"
          width={width}
          levels={r.levels.map((l) => l.level)}
          mtdPercent={pct(r.monthToDate.bytesBilled, r.freeTier.queryBytes)}
          projectedPercent={r.freeTier.queryPercent}
          detail={`${bytes(r.monthToDate.bytesBilled)} → ${bytes(r.projection.bytesBilled)} of ${bytes(r.freeTier.queryBytes)}`}
        />
        <AllowanceBar
          label="storage free tier"
          width={width}
          levels={r.levels.map((l) => l.level)}
          mtdPercent={r.freeTier.storagePercent}
          projectedPercent={r.freeTier.storagePercent}
          detail={`${bytes(r.storage.activeBytes + r.storage.longTermBytes)} of ${bytes(r.freeTier.storageBytes)}`}
        />
      </Box>
      <Box marginTop={1} flexDirection="column">
        <Text wrap="truncate">
          <Text dimColor>{`bytes billed per day, last ${days} days  `}</Text>
          <Sparkline values={dailySeries(r)} width={Math.max(10, Math.min(days, width - 40))} />
          <Text dimColor>{`  max ${bytes(Math.max(0, ...r.daily.map((d) => d.bytesBilled)))}`}</Text>
        </Text>
        <Text dimColor wrap="truncate">
          projection: {r.projection.method}
        </Text>
      </Box>
      {r.crossed.length ? (
        <Text color="red" wrap="truncate">
          {`levels crossed: ${r.crossed.map((l) => `${l.subject} ${l.level}%`).join(', ')}`}
        </Text>
      ) : null}
      <Box marginTop={1}>
        <Table
          rows={top}
          columns={columns}
          selected={nav.selected}
          height={tableHeight}
          width={width}
          rowKey={(q) => q.jobId}
          emptyText="no queries in the window"
        />
      </Box>
      {selected ? (
        <Text dimColor wrap="truncate">
          {`${selected.jobId} · ${
            Object.entries(selected.labels)
              .map(([k, v]) => `${k}=${v}`)
              .join(' ') || 'no labels'
          }`}
        </Text>
      ) : null}
      <Box flexGrow={1} />
      <Text dimColor wrap="truncate">
        {report.loading ? <Spinner label="refreshing" /> : `read ${ago(report.refreshedAt)}`}
        {` · every ${COSTS_REFRESH_MS / 60_000} min · ${r.location}${r.notes.length ? ` · ${r.notes[0]}` : ''}`}
      </Text>
    </Box>
  );
}

function Summary({ r }: { r: CostReport }) {
  return (
    <Text wrap="truncate">
      <Text bold>{usd(r.monthToDate.totalUsd)}</Text>
      <Text dimColor>{` month to date · projected `}</Text>
      <Text
        bold
        color={levelColor(
          r.budget.percent,
          r.levels.map((l) => l.level),
        )}
      >
        {usd(r.projection.totalUsd)}
      </Text>
      <Text
        dimColor
      >{` of ${usd(r.budget.usd)} budget · day ${r.month.elapsedDays}/${r.month.daysInMonth} · opsctl ${bytes(r.opsctl.bytesBilled)}, others ${bytes(r.opsctl.otherBytesBilled)}`}</Text>
    </Text>
  );
}

const pct = (value: number, of: number) => (of > 0 ? (value / of) * 100 : 0);

/** One value per day of the window, zero on days without queries, so the chart's x axis is time. */
function dailySeries(r: CostReport): number[] {
  const byDay = new Map(r.daily.map((d) => [d.day, d.bytesBilled]));
  const end = new Date(r.generatedAt);
  return Array.from({ length: r.days }, (_, i) => {
    const d = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth(), end.getUTCDate() - (r.days - 1 - i)));
    return byDay.get(d.toISOString().slice(0, 10)) ?? 0;
  });
}
