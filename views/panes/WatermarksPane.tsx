import { Box, Text } from 'ink';
import { ago, span } from '../../src/format.js';
import type { SyncTableStatus } from '../../src/pipelines/sync/status.js';
import { useKeymap } from '../hooks/keymap.js';
import { useFilter } from '../hooks/useFilter.js';
import { useTableNavigation } from '../hooks/useTableNavigation.js';
import { useWatermarks, WATERMARKS_REFRESH_MS } from '../hooks/useWatermarks.js';
import { Confirm } from '../widgets/Confirm.js';
import { FilterPrompt } from '../widgets/FilterPrompt.js';
import { Spinner } from '../widgets/Spinner.js';
import { Table, type TableColumn } from '../widgets/Table.js';
import type { PaneProps } from './types.js';
import { FirstLoad } from '../widgets/FirstLoad.js';

/** Lag and its limit as the CLI prints them (`sync status`, `watermarks list`). */
const lag = (seconds: number | null) => (seconds === null ? '-' : span(seconds * 1000));

const columns: TableColumn<SyncTableStatus>[] = [
  {
    header: 'TABLE',
    width: 26,
    value: (w) => `${w.lagging ? '! ' : ''}${w.pipeline}/${w.table}`,
    color: (w) => (w.lagging ? 'red' : undefined),
  },
  { header: 'WATERMARK', width: 11, value: (w) => w.value?.slice(0, 16) ?? '(none)' },
  {
    header: 'LAG',
    width: 5,
    align: 'right',
    value: (w) => lag(w.lagSeconds),
    color: (w) => (w.lagging ? 'red' : undefined),
  },
  { header: 'LIMIT', width: 5, align: 'right', value: (w) => lag(w.limitSeconds) },
  {
    header: 'LAST RUN',
    width: 8,
    value: (w) => w.lastRun?.status ?? '-',
    color: (w) => (w.lastRun?.status === 'failed' ? 'red' : w.lastRun?.status === 'ok' ? 'green' : undefined),
  },
  {
    header: 'ROWS',
    width: 12,
    align: 'right',
    value: (w) =>
      w.lastRun
        ? `${w.lastRun.rowsLoaded}/${w.lastRun.rowsExtracted}${w.lastRun.rowsRejected ? ` q${w.lastRun.rowsRejected}` : ''}`
        : '-',
  },
  {
    header: 'NEXT WINDOW',
    value: (w) => (w.windowStart ? `${w.incrementalColumn} ≥ ${w.windowStart.slice(0, 16)}` : 'whole source'),
  },
];

/** One row per sync table: watermark, lag behind now (red beyond max_lag), last run, next window; run, set, reset. */
export function WatermarksPane({ width, height }: PaneProps) {
  const wm = useWatermarks();
  const filter = useFilter();
  const rows = (wm.list.data?.watermarks ?? []).filter((w) => filter.matches(`${w.pipeline}/${w.table}`));
  const tableHeight = Math.max(3, Math.min(rows.length + 1, height - 8));
  const nav = useTableNavigation(
    rows.length,
    tableHeight - 1,
    rows.map((w) => `${w.pipeline}/${w.table}`),
  );
  const selected = rows[nav.selected];
  const idle = !wm.running && !wm.editing && !wm.pending;
  useKeymap('pane', [
    ...nav.bindings,
    ...filter.bindings,
    {
      keys: ['enter'],
      label: 'sync table',
      description: 'sync the selected table now (from its watermark − lookback; typed name on production)',
      run: () => selected && wm.runTable(selected),
      enabled: idle && !!selected,
    },
    {
      keys: ['f'],
      label: 'force',
      description: 'sync the selected table ignoring its watermark (reload the whole source; typed name on production)',
      run: () => selected && wm.runTable(selected, true),
      enabled: idle && !!selected,
    },
    {
      keys: ['s'],
      label: 'set',
      description: "set the selected table's watermark (asks for confirmation)",
      run: () => selected && wm.startSet(selected),
      enabled: idle && !!selected,
    },
    {
      keys: ['x'],
      label: 'reset',
      description: "forget the selected table's watermark: the next run reloads everything (asks for confirmation)",
      run: () => selected && wm.resetTable(selected),
      enabled: idle && !!selected,
    },
    { keys: ['r'], label: 'refresh', description: 'read the watermarks again now', run: wm.list.refresh },
  ]);

  if (!wm.list.data) {
    return <FirstLoad error={wm.list.error} label="reading watermarks…" width={width} height={height} />;
  }
  const all = wm.list.data.watermarks;
  const lagging = all.filter((w) => w.lagging).length;
  const progress = wm.sync.state.progress;
  const lastRun = wm.sync.state.result;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text wrap="truncate">
        <Text bold>{`${all.length} sync tables`}</Text>
        {lagging ? (
          <Text color="red" bold>{` · ${lagging} lagging beyond max_lag`}</Text>
        ) : (
          <Text color="green">{' · none lagging'}</Text>
        )}
      </Text>
      <Box marginTop={1}>
        <Table
          rows={rows}
          columns={columns}
          selected={nav.selected}
          height={tableHeight}
          width={width}
          rowKey={(w) => `${w.pipeline}/${w.table}`}
          emptyText="no sync tables configured (pipelines.<name>.tables)"
        />
      </Box>
      <FilterPrompt text={filter.text} editing={filter.editing} />
      {wm.editing ? (
        <Text>
          <Text color="cyan">{`watermark for ${wm.editing.table}: `}</Text>
          {wm.editing.text}
          <Text inverse> </Text>
          <Text dimColor>{'  (enter set, esc cancel)'}</Text>
        </Text>
      ) : null}
      {wm.pending ? (
        <Confirm
          action={wm.pending.action}
          typed={wm.pending.typed}
          confirmLabel={wm.pending.confirmLabel}
          onAnswer={wm.pending.answer}
          width={Math.min(width, 80)}
        />
      ) : null}
      {wm.sync.state.status === 'running' ? (
        <Spinner label={`syncing ${progress?.phase ?? ''} ${progress?.note ?? ''}`} />
      ) : null}
      {wm.sync.state.status === 'done' && lastRun ? (
        <Text wrap="truncate" color={lastRun.ok ? 'green' : 'red'}>
          {lastRun.pipelines
            .flatMap((p) => p.tables)
            .map(
              (t) =>
                `${t.table}: ${t.status}, ${t.details?.inserted ?? 0} inserted, ${t.details?.updated ?? 0} updated, ${t.rejected} quarantined, watermark ${t.watermarkAfter ?? '-'}`,
            )
            .join(' · ')}
        </Text>
      ) : null}
      {wm.lastChange && !wm.pending ? (
        <Text wrap="truncate">{`${wm.lastChange.pipeline}/${wm.lastChange.table}: ${wm.lastChange.before ?? '(none)'} → ${wm.lastChange.after ?? '(none)'}; ${wm.lastChange.note}`}</Text>
      ) : null}
      {wm.error ? (
        <Text color="red" wrap="wrap">
          {wm.error.message}
        </Text>
      ) : null}
      {selected?.lastRun?.error ? (
        <Text color="red" wrap="truncate">{`last error: ${selected.lastRun.error}`}</Text>
      ) : null}
      <Box flexGrow={1} />
      <Text dimColor wrap="truncate">
        {wm.list.loading ? <Spinner label="refreshing" /> : `read ${ago(wm.list.refreshedAt)}`}
        {` · every ${WATERMARKS_REFRESH_MS / 1000}s`}
      </Text>
    </Box>
  );
}
