import { Box, Text } from 'ink';
import { ago, bytes, count, latency, percent, plural, rate, span } from '../../src/format.js';
import { serviceReport } from '../../src/health/checks/services.js';
import { targetConnections } from '../../src/health/checks/targets.js';
import type { ComponentHealth } from '../../src/health/types.js';
import { useKeymap } from '../hooks/keymap.js';
import { HEALTH_REFRESH_MS, useHealth, type Series } from '../hooks/useHealth.js';
import { useHealthActions } from '../hooks/useHealthActions.js';
import { Confirm } from '../widgets/Confirm.js';
import { useTableNavigation } from '../hooks/useTableNavigation.js';
import { sparkline } from '../widgets/Sparkline.js';
import { Spinner } from '../widgets/Spinner.js';
import { Table, type TableColumn } from '../widgets/Table.js';
import type { PaneProps } from './types.js';
import { FirstLoad } from '../widgets/FirstLoad.js';

const STATUS_COLOR: Partial<Record<ComponentHealth['status'], string>> = { up: 'green', down: 'red', busy: 'yellow' };

const vitals = (c: ComponentHealth) => serviceReport(c)?.vitals;
const dash = (c: ComponentHealth, text: string) => (c.group === 'service' ? text : '');

const columns: TableColumn<ComponentHealth>[] = [
  { header: 'NAME', width: 14, value: (c) => `${c.group === 'service' ? 'svc' : 'db'} ${c.name}` },
  { header: 'STATUS', width: 6, value: (c) => c.status, color: (c) => STATUS_COLOR[c.status] },
  { header: 'REQ/S', width: 7, align: 'right', value: (c) => dash(c, rate(vitals(c)?.rps)) },
  { header: 'ERR', width: 5, align: 'right', value: (c) => dash(c, percent(vitals(c)?.errorRate)) },
  { header: 'P95', width: 7, align: 'right', value: (c) => dash(c, latency(vitals(c)?.p95Ms)) },
  { header: 'P99', width: 7, align: 'right', value: (c) => dash(c, latency(vitals(c)?.p99Ms)) },
  { header: 'CPU', width: 5, align: 'right', value: (c) => dash(c, percent(vitals(c)?.cpuPercent)) },
  {
    header: 'MEM/CONN',
    width: 9,
    align: 'right',
    value: (c) => {
      const n = targetConnections(c);
      if (n) return `${n.inUse}/${n.max}`;
      return dash(c, bytes(vitals(c)?.rssBytes));
    },
  },
];

function figure(s: Series, value: number): string {
  switch (s.unit) {
    case 'rate':
      return rate(value);
    case 'percent':
      return percent(value);
    case 'ms':
      return latency(value);
    case 'bytes':
      return bytes(value);
    default:
      return Number.isInteger(value) ? count(value) : value.toFixed(2);
  }
}

/**
 * One line per series with its axes: the label, the y range (zero to the largest value shown) on the left, the sparkline,
 * the latest value on the right; one shared time axis below (how long ago the first point was, now).
 */
function SeriesChart({ series, width }: { series: Series[]; width: number }) {
  const labelWidth = 12;
  const rangeWidth = 19;
  const lastWidth = 10;
  const plot = Math.max(8, width - labelWidth - rangeWidth - lastWidth - 3);
  const first = Math.min(...series.map((s) => s.points.slice(-plot)[0]?.at ?? Date.now()));
  return (
    <Box flexDirection="column">
      {series.map((s) => {
        const values = s.points.slice(-plot).map((p) => p.value);
        // The sparkline's bars rise from zero to the largest value shown: that is its y axis.
        const hi = Math.max(0, ...values);
        return (
          <Text key={s.label} wrap="truncate">
            {s.label.slice(0, labelWidth - 1).padEnd(labelWidth)}
            <Text dimColor>
              {`${figure(s, 0)}–${figure(s, hi)}`.slice(0, rangeWidth - 2).padStart(rangeWidth - 2)} ┤
            </Text>
            <Text color="cyan">{sparkline(values, plot).padEnd(plot)}</Text>
            <Text>{` ${figure(s, values.at(-1) ?? 0)}`}</Text>
          </Text>
        );
      })}
      <Text dimColor wrap="truncate">
        {' '.repeat(labelWidth + rangeWidth - 2)}└{`${span(Date.now() - first)} ago `.padEnd(plot - 3, '─')}now
      </Text>
    </Box>
  );
}

const LAST_COLOR = { running: 'yellow', done: 'green', failed: 'red' } as const;

type Actions = ReturnType<typeof useHealthActions>;

/** The rows of a list that fit, scrolled so the selected one shows. */
function windowOf<T>(list: T[], selected: number, rows: number): Array<{ item: T; index: number }> {
  const start = Math.max(0, Math.min(selected - rows + 1, list.length - rows));
  return list.slice(Math.max(0, start), Math.max(0, start) + rows).map((item, k) => ({ item, index: start + k }));
}

/** The selected target's running queries; the marked one is what c/x act on. */
function QueryList({ actions }: { actions: Actions }) {
  const focused = actions.focus === 'queries';
  return (
    <>
      {windowOf(actions.queries, actions.query.index, focused ? 5 : 3).map(({ item: q, index }) => {
        const mark = index === actions.query.index;
        return (
          <Text key={q.id} wrap="truncate" inverse={focused && mark}>
            {mark ? '› ' : '  '}
            <Text color={q.waiting ? 'yellow' : undefined}>{`#${q.id} ${span(q.ageMs)} ${q.user} `}</Text>
            <Text dimColor>{q.query}</Text>
          </Text>
        );
      })}
    </>
  );
}

/** How many lines the query list and the picker take (the sparklines get the rest). */
function listRows(actions: Actions): number {
  const queries = Math.min(actions.focus === 'queries' ? 5 : 3, actions.queries.length);
  if (actions.focus === 'tables') return queries + 1 + Math.min(5, Math.max(1, actions.tables.list.length));
  if (actions.focus === 'actions') return queries + 1 + actions.choices.list.length;
  return queries;
}

/** m: pick a table of the target (largest first), then the action the engine runs on it. */
function MaintenancePicker({ actions }: { actions: Actions }) {
  const { focus, tables, choices, target } = actions;
  if (focus === 'tables') {
    if (tables.error)
      return (
        <Text color="red" wrap="truncate">
          {tables.error.message}
        </Text>
      );
    if (!tables.list.length)
      return tables.loading ? <Spinner label={`reading the tables of ${target}…`} /> : <Text>no tables</Text>;
    return (
      <Box flexDirection="column">
        <Text bold>{`maintain a table of ${target}:`}</Text>
        {windowOf(tables.list, tables.index, 5).map(({ item: t, index }) => (
          <Text key={t.table} wrap="truncate" inverse={index === tables.index}>
            {`${index === tables.index ? '› ' : '  '}${t.table.padEnd(30)} ${bytes(t.sizeBytes).padStart(9)}`}
          </Text>
        ))}
      </Box>
    );
  }
  if (focus === 'actions')
    return (
      <Box flexDirection="column">
        <Text bold>{`${tables.selected?.table} on ${target}:`}</Text>
        {choices.list.map((c, index) => (
          <Text key={c.action} wrap="truncate" inverse={index === choices.index}>
            {`${index === choices.index ? '› ' : '  '}${c.sql} ${tables.selected?.table}`}
          </Text>
        ))}
      </Box>
    );
  return null;
}

/**
 * Every service (health endpoints, req/s, error rate, p95/p99, CPU, memory, watched metrics) and every database target
 * (connections against max_connections), live; the selected one's figures as sparklines with axes over the session.
 */
export function HealthPane({ width, height }: PaneProps) {
  const health = useHealth();
  const rows = health.components;
  const tableHeight = Math.max(3, Math.min(rows.length + 1, Math.floor(height / 2)));
  const nav = useTableNavigation(
    rows.length,
    tableHeight - 1,
    rows.map((c) => c.id),
  );
  const selected = rows[nav.selected];
  const actions = useHealthActions(selected);
  // With focus on the queries or the maintenance picker the hook's keys alone work (j/k move in that list).
  useKeymap(
    'pane',
    actions.focus === 'components'
      ? [
          ...nav.bindings,
          { keys: ['r'], label: 'refresh', description: 'run a health round now', run: health.round.refresh },
          ...actions.bindings,
        ]
      : actions.bindings,
  );

  if (!health.round.data) {
    return <FirstLoad error={health.round.error} label="probing services and targets…" width={width} height={height} />;
  }
  const data = health.round.data;
  const series = selected ? health.seriesOf(selected.id) : [];
  const crossed = health.crossed.filter((x) => x.component === selected?.label);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text wrap="truncate">
        <Text
          bold
        >{`${plural(rows.filter((c) => c.group === 'service').length, 'service')}, ${plural(rows.filter((c) => c.group === 'target').length, 'target')}`}</Text>
        {data.ok ? (
          <Text color="green">{' · all up, no threshold crossed'}</Text>
        ) : (
          <Text color="red" bold>{` · ${data.down.length} down, ${data.crossed.length} crossed`}</Text>
        )}
      </Text>
      <Table
        rows={rows}
        columns={columns}
        selected={nav.selected}
        height={tableHeight}
        width={width}
        rowKey={(c) => c.id}
        emptyText="no services or targets configured (services.<name>, targets.<name>)"
      />
      {selected?.error ? (
        <Text color="red" wrap="truncate">
          {selected.error}
        </Text>
      ) : null}
      {crossed.map((x) => (
        <Text key={x.key} color="red" wrap="truncate">{`crossed: ${x.text}`}</Text>
      ))}
      <QueryList actions={actions} />
      <MaintenancePicker actions={actions} />
      {actions.pending ? (
        <Confirm
          action={actions.pending.confirmation.action}
          typed={actions.pending.confirmation.typed}
          onAnswer={actions.pending.answer}
          width={Math.min(width, 80)}
        />
      ) : null}
      {actions.last ? (
        <Text color={LAST_COLOR[actions.last.status]} wrap="truncate">
          {actions.last.text}
        </Text>
      ) : null}
      {series.length ? (
        <SeriesChart
          series={series.slice(0, Math.max(1, height - tableHeight - 5 - listRows(actions)))}
          width={width}
        />
      ) : null}
      <Box flexGrow={1} />
      <Text dimColor wrap="truncate">
        {health.round.loading ? <Spinner label="probing" /> : `round ${ago(health.round.refreshedAt)}`}
        {` · every ${HEALTH_REFRESH_MS / 1000}s · opsctl health --watch`}
      </Text>
    </Box>
  );
}
