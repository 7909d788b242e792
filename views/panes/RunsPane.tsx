import { useEffect, useState } from 'react';
import { Box, Text } from 'ink';
import type { ResultFor } from '../../commands/catalog.js';
import { ago, count as n, duration, watermark } from '../../src/format.js';
import { useFilter } from '../hooks/useFilter.js';
import { useKeymap } from '../hooks/keymap.js';
import {
  RUN_STATUS_FILTERS,
  RUN_STATUS_WORDS,
  RUNS_PAGE,
  usePipelineStart,
  useRunDetail,
  useRunsList,
  type RunListItem,
} from '../hooks/useRuns.js';
import { useTableNavigation } from '../hooks/useTableNavigation.js';
import { Confirm } from '../widgets/Confirm.js';
import { FilterPrompt } from '../widgets/FilterPrompt.js';
import { ProgressBar } from '../widgets/ProgressBar.js';
import { Spinner } from '../widgets/Spinner.js';
import { Table, type TableColumn } from '../widgets/Table.js';
import type { PaneProps } from './types.js';

const STATUS_COLOR: Record<string, string> = {
  succeeded: 'green',
  ok: 'green',
  failed: 'red',
  locked: 'red',
  running: 'cyan',
  orphaned: 'magenta',
  cancelled: 'yellow',
  unavailable: 'yellow',
  skipped: 'gray',
};
type EtlShowTable = ResultFor<'etl.show'>['tables'][number];

export function RunsPane({ width, height }: PaneProps) {
  const start = usePipelineStart();
  const running = start.state.status === 'running';
  const filter = useFilter();
  const [statusIndex, setStatusIndex] = useState(0);
  const cycled = RUN_STATUS_FILTERS[statusIndex % RUN_STATUS_FILTERS.length]!;
  // `/failed` (any status word) is answered by the store like `f`, not by searching the runs loaded so far.
  const typedStatus = RUN_STATUS_WORDS.find((s) => s === filter.text.trim().toLowerCase());
  const status = typedStatus ?? (cycled === 'all' ? undefined : cycled);
  const list = useRunsList(running, status);
  const [openRun, setOpenRun] = useState<number>();
  const rows = typedStatus
    ? list.runs
    : list.runs.filter((r) => filter.matches(`#${r.id} ${r.pipeline} ${r.status} ${r.trigger} ${r.error ?? ''}`));
  const bannerLines = running || start.state.status === 'done' || start.state.status === 'failed' ? 2 : 0;
  const tableHeight = Math.max(3, height - 4 - bannerLines);
  const nav = useTableNavigation(
    rows.length,
    tableHeight - 1,
    rows.map((r) => String(r.id)),
  );
  const selected = rows[nav.selected];

  // Page from the store when the selection nears the end of what is loaded.
  const { hasMore, loadMore } = list;
  useEffect(() => {
    if (hasMore && nav.selected >= rows.length - tableHeight) loadMore();
  }, [hasMore, loadMore, nav.selected, rows.length, tableHeight]);

  // When a run started here finishes, the list shows it at once.
  const { refresh } = list;
  useEffect(() => {
    if (start.state.status === 'done' || start.state.status === 'failed') refresh();
  }, [start.state.status, refresh]);

  useKeymap(
    'pane',
    [
      ...nav.bindings,
      {
        keys: ['enter'],
        label: 'open',
        description: "open the run's per-table counts and error",
        run: () => selected && setOpenRun(selected.id),
        enabled: Boolean(selected),
      },
      ...filter.bindings,
      {
        keys: ['f'],
        label: `status ${cycled}`,
        description: 'show all runs, only failed ones or only running ones (the store filters, not the loaded page)',
        run: () => setStatusIndex((i) => i + 1),
      },
      {
        keys: ['s'],
        label: start.pipeline ? `start ${start.pipeline}` : 'start',
        description: 'start the chosen pipeline now (asks first)',
        run: start.ask,
        enabled: Boolean(start.pipeline) && !running,
      },
      {
        keys: ['p'],
        label: 'pipeline',
        description: 'choose which pipeline s starts',
        run: start.next,
        enabled: start.pipelines.length > 1 && !running,
      },
      {
        keys: ['x'],
        label: 'cancel run',
        description: 'cancel the pipeline started here',
        run: start.cancel,
        enabled: running,
      },
      { keys: ['r'], label: 'refresh', description: 'read the runs again now', run: list.refresh },
    ],
    { active: openRun === undefined },
  );

  if (openRun !== undefined)
    return <RunDetail runId={openRun} width={width} height={height} onClose={() => setOpenRun(undefined)} />;

  const columns: TableColumn<RunListItem>[] = [
    { header: 'RUN', width: 6, align: 'right', value: (r) => String(r.id) },
    { header: 'PIPELINE', width: 14, value: (r) => r.pipeline },
    {
      header: 'STATUS',
      width: 10,
      value: (r) => (r.dryRun ? `${r.status}*` : r.status),
      color: (r) => STATUS_COLOR[r.status],
    },
    { header: 'STARTED', width: 16, value: (r) => r.startedAt.slice(0, 16).replace('T', ' ') },
    {
      header: 'DURATION',
      width: 8,
      align: 'right',
      value: (r) => (r.status === 'running' ? duration(Date.now() - Date.parse(r.startedAt)) : duration(r.durationMs)),
    },
    { header: 'LOADED', width: 9, align: 'right', value: (r) => n(r.rowsLoaded) },
    {
      header: 'REJECTED',
      width: 8,
      align: 'right',
      value: (r) => n(r.rowsRejected),
      color: (r) => (r.rowsRejected ? 'yellow' : undefined),
    },
    {
      header: 'ERROR',
      value: (r) =>
        (r.progress
          ? progressText(r.progress)
          : (r.error ?? (r.unavailable.length ? `unavailable: ${r.unavailable.join(', ')}` : ''))
        ).replace(/\s+/g, ' '),
      color: (r) => (r.progress ? 'cyan' : undefined),
    },
  ];

  return (
    <Box flexDirection="column" width={width} height={height}>
      {start.asking ? (
        <Confirm
          action={`Run pipeline ${start.asking} now? It extracts, validates and loads like \`opsctl etl run ${start.asking}\`${start.typed ? `, into target "${start.typed}" (PRODUCTION)` : ''}.`}
          typed={start.typed}
          confirmLabel="Run"
          onAnswer={start.answer}
          width={Math.min(70, width)}
        />
      ) : null}
      <Banner state={start.state} pipeline={start.pipeline} width={width} />
      <Text wrap="truncate">
        <Text bold>{`${n(list.total)}${status ? ` ${status}` : ''} run${list.total === 1 ? '' : 's'}`}</Text>
        <Text
          dimColor
        >{` · ${n(list.runs.length)} loaded${list.hasMore ? ` (pages of ${RUNS_PAGE})` : ''}${filter.text && !typedStatus ? ` · ${n(rows.length)} match${list.hasMore ? ' in the loaded runs' : ''}` : ''} · * dry run`}</Text>
      </Text>
      <FilterPrompt text={filter.text} editing={filter.editing} />
      {list.error ? (
        <Text color="red" wrap="truncate">
          {list.error.message}
        </Text>
      ) : null}
      <Table
        rows={rows}
        columns={columns}
        selected={nav.selected}
        height={tableHeight}
        width={width}
        rowKey={(r) => String(r.id)}
        emptyText={
          filter.text || status
            ? `no ${status ?? ''} run matches the filter`.replace('  ', ' ')
            : 'no pipeline runs yet: press s to start one, or run opsctl etl run'
        }
      />
      <Box flexGrow={1} />
      <Text dimColor wrap="truncate">
        {list.loading ? <Spinner label="refreshing" /> : `read ${ago(list.refreshedAt)}`}
        {selected ? ` · run ${selected.id} by ${selected.trigger} on ${selected.host} (pid ${selected.pid})` : ''}
      </Text>
    </Box>
  );
}

/** What a pipeline phase counts (spotify's load and sync's runner count tables; quarantine counts records). */
function unitOf(phase: string): string | undefined {
  if (phase === 'load' || phase.startsWith('sync ')) return 'tables';
  if (phase === 'quarantine') return 'records';
  return undefined;
}

/** A running run's phase as its process published it: "load 3/9 · tracks (120 rows)". */
function progressText(p: NonNullable<RunListItem['progress']>): string {
  return `${p.phase}${p.total ? ` ${p.done ?? 0}/${p.total}` : ''}${p.note ? ` · ${p.note}` : ''}`;
}

/** What the pipeline started from this pane is doing now, or how it ended. */
function Banner({
  state,
  pipeline,
  width,
}: {
  state: ReturnType<typeof usePipelineStart>['state'];
  pipeline: string | undefined;
  width: number;
}) {
  if (state.status === 'running') {
    const p = state.progress;
    return (
      <Box flexDirection="column">
        <Text wrap="truncate">
          <Text color="cyan">{'▶ '}</Text>
          <Spinner label={`running ${pipeline ?? ''}: ${p?.phase ?? 'starting'}${p?.note ? ` · ${p.note}` : ''}`} />
        </Text>
        {p?.total ? (
          <ProgressBar done={p.done} total={p.total} width={Math.min(60, width)} label="  " unit={unitOf(p.phase)} />
        ) : (
          <Text> </Text>
        )}
      </Box>
    );
  }
  if (state.status === 'failed' || state.status === 'cancelled') {
    return (
      <Box flexDirection="column">
        <Text color="red" wrap="truncate">{`✖ ${state.status}: ${state.error?.message ?? ''}`}</Text>
        <Text> </Text>
      </Box>
    );
  }
  if (state.status === 'done' && state.result) {
    const r = state.result;
    const e = r.executions[0];
    return (
      <Box flexDirection="column">
        <Text color={r.ok ? 'green' : 'red'} wrap="truncate">
          {r.ok
            ? `✔ ${e?.pipeline ?? ''} finished${e?.run ? `: run ${e.run.id}, ${n(e.run.rowsLoaded)} rows loaded, ${n(e.run.rowsRejected)} rejected` : ''}`
            : `✖ ${r.failures.join('; ')}`}
        </Text>
        <Text dimColor wrap="truncate">
          {e?.outcome?.notes.join(' · ') ?? ''}
        </Text>
      </Box>
    );
  }
  return null;
}

function RunDetail({
  runId,
  width,
  height,
  onClose,
}: {
  runId: number;
  width: number;
  height: number;
  onClose: () => void;
}) {
  const detail = useRunDetail(runId);
  useKeymap('pane', [
    { keys: ['esc', 'backspace'], label: 'back', description: 'back to the list of runs', run: onClose },
    { keys: ['r'], label: 'refresh', run: detail.refresh },
  ]);
  const d = detail.data;
  if (!d) {
    return (
      <Box flexDirection="column" width={width} height={height}>
        {detail.error ? (
          <Text color="red" wrap="wrap">
            {detail.error.message}
          </Text>
        ) : (
          <Spinner label={`reading run ${runId}…`} />
        )}
      </Box>
    );
  }
  const run = d.run;
  const quarantined = Object.entries(d.quarantinedByTable);
  const columns: TableColumn<EtlShowTable>[] = [
    { header: 'TABLE', width: 20, value: (t) => t.table },
    { header: 'STATUS', width: 11, value: (t) => t.status, color: (t) => STATUS_COLOR[t.status] },
    { header: 'EXTRACTED', width: 9, align: 'right', value: (t) => n(t.extracted) },
    { header: 'LOADED', width: 7, align: 'right', value: (t) => n(t.loaded) },
    {
      header: 'REJECTED',
      width: 8,
      align: 'right',
      value: (t) => n(t.rejected),
      color: (t) => (t.rejected ? 'yellow' : undefined),
    },
    { header: 'TOOK', width: 7, align: 'right', value: (t) => duration(t.durationMs) },
    {
      // As etl show prints it: where the table's watermark was before the run and where the run left it.
      header: 'WATERMARK',
      width: 9,
      value: (t) =>
        t.watermarkAfter !== null || t.watermarkBefore !== null
          ? `${watermark(t.watermarkBefore)} → ${watermark(t.watermarkAfter)}`
          : '',
    },
    { header: 'REASON', value: (t) => (t.reason ?? '').replace(/\s+/g, ' ') },
  ];
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text wrap="truncate">
        <Text bold>{`Run ${run.id} · ${run.pipeline}`}</Text> <Text color={STATUS_COLOR[run.status]}>{run.status}</Text>
        <Text
          dimColor
        >{`${run.dryRun ? ' (dry run)' : ''} · started ${run.startedAt.slice(0, 19).replace('T', ' ')} by ${run.trigger} · took ${duration(run.durationMs)}`}</Text>
      </Text>
      <Text wrap="truncate">{`${n(run.rowsExtracted)} extracted · ${n(run.rowsLoaded)} loaded · ${n(run.rowsRejected)} rejected`}</Text>
      {run.error ? <Text color="red" wrap="wrap">{`error: ${run.error}`}</Text> : null}
      <Box marginTop={1}>
        <Table
          rows={d.tables}
          columns={columns}
          selected={-1}
          height={Math.max(3, Math.min(d.tables.length + 1, height - 8))}
          width={width}
          emptyText="no per-table counts recorded"
          rowKey={(t) => t.table}
        />
      </Box>
      {d.notes.map((note, i) => (
        <Text key={i} dimColor wrap="truncate">{`note: ${note}`}</Text>
      ))}
      {quarantined.length ? (
        <Text
          color="yellow"
          wrap="truncate"
        >{`quarantined: ${quarantined.map(([t, c]) => `${t} ${c}`).join(', ')}${d.quarantined[0] ? ` · e.g. ${d.quarantined[0].reason}` : ''}`}</Text>
      ) : null}
      <Box flexGrow={1} />
      <Text
        dimColor
        wrap="truncate"
      >{`opsctl etl show ${run.id} --json prints every quarantined record with its payload`}</Text>
    </Box>
  );
}
