import { useState } from 'react';
import { Box, Text } from 'ink';
import type { ResultFor } from '../../commands/catalog.js';
import { ago, duration, latency, percent, plural } from '../../src/format.js';
import { fmt, signed } from '../../src/loadtest/compare.js';
import type { LoadTestRun } from '../../src/loadtest/store.js';
import { useFilter } from '../hooks/useFilter.js';
import { useKeymap } from '../hooks/keymap.js';
import { useLoadTests } from '../hooks/useLoadTests.js';
import { useTableNavigation } from '../hooks/useTableNavigation.js';
import { GateConfirm } from '../widgets/Confirm.js';
import { FilterPrompt } from '../widgets/FilterPrompt.js';
import { ProgressBar } from '../widgets/ProgressBar.js';
import { Sparkline } from '../widgets/Sparkline.js';
import { Spinner } from '../widgets/Spinner.js';
import { Table, type TableColumn } from '../widgets/Table.js';
import type { PaneProps } from './types.js';
import { FirstLoad } from '../widgets/FirstLoad.js';

type Profile = ResultFor<'loadtest.history'>['profiles'][number];

const r2 = (v: number) => Math.round(v * 100) / 100;
const resultText = (r: LoadTestRun) => (r.thresholds.length ? (r.passed ? 'passed' : 'FAILED') : '-');
const resultColor = (r: LoadTestRun) => (r.thresholds.length ? (r.passed ? 'green' : 'red') : undefined);
const VERDICT = {
  better: ['BETTER', 'green'],
  same: ['SAME within noise', 'white'],
  regression: ['REGRESSION', 'red'],
} as const;

export function LoadTestsPane({ width, height }: PaneProps) {
  const lt = useLoadTests();
  const filter = useFilter();
  const [focus, setFocus] = useState<'profiles' | 'runs'>('profiles');
  const data = lt.history.data;
  const profiles = data?.profiles ?? [];
  const runs = (data?.runs ?? []).filter((r) => filter.matches(`${r.id} ${r.profile ?? ''} ${r.url} ${resultText(r)}`));
  const running = lt.run.status === 'running';
  const panelHeight = lt.panel === 'none' ? 0 : 9;
  const profilesHeight = Math.max(2, Math.min(profiles.length + 1, 6));
  const runsHeight = Math.max(3, height - profilesHeight - panelHeight - 6);
  const profileNav = useTableNavigation(
    profiles.length,
    profilesHeight - 1,
    profiles.map((p) => p.name),
  );
  const runNav = useTableNavigation(
    runs.length,
    runsHeight - 1,
    runs.map((r) => String(r.id)),
  );
  const nav = focus === 'profiles' ? profileNav : runNav;
  const profile = profiles[profileNav.selected];
  const run = runs[runNav.selected];

  useKeymap('pane', [
    ...nav.bindings,
    {
      keys: ['f'],
      label: focus === 'profiles' ? 'focus runs' : 'focus profiles',
      description: 'move the selection between the profiles and the runs',
      run: () => setFocus((f) => (f === 'profiles' ? 'runs' : 'profiles')),
    },
    {
      keys: ['enter'],
      label: 'run profile',
      description: 'run the selected profile (asks first: URL, model, rate or connections, duration)',
      run: () => profile && lt.start(profile),
      enabled: focus === 'profiles' && !!profile && !running && !lt.gate.asking,
    },
    {
      keys: ['x'],
      label: 'stop',
      description: 'stop the running test (it is not stored)',
      run: lt.cancel,
      enabled: running,
    },
    {
      keys: ['c'],
      label: 'compare',
      description: 'compare the selected run with the baseline (the marked run, else the previous run of its profile)',
      run: () => run && lt.compare(run.id),
      enabled: focus === 'runs' && !!run,
    },
    {
      keys: ['b'],
      label: lt.baseline && run && lt.baseline === run.id ? 'unmark baseline' : 'mark baseline',
      description: 'mark the selected run as the baseline for compare',
      run: () => run && lt.toggleBaseline(run.id),
      enabled: focus === 'runs' && !!run,
    },
    ...(focus === 'runs' ? filter.bindings : []),
    {
      keys: ['esc'],
      label: 'close',
      description: 'close the result or comparison',
      run: lt.closePanel,
      enabled: lt.panel !== 'none' && !running && !filter.text,
    },
    { keys: ['r'], label: 'refresh', description: 'read the stored runs again', run: lt.history.refresh },
  ]);

  if (!data) {
    return <FirstLoad error={lt.history.error} label="reading load-test runs…" width={width} height={height} />;
  }

  const profileColumns: TableColumn<Profile>[] = [
    { header: 'PROFILE', width: 16, value: (p) => p.name },
    { header: 'MODEL', width: 7, value: (p) => p.model },
    { header: 'GATE', width: 5, value: (p) => (p.gate ? 'yes' : '') },
    { header: 'THRESHOLDS', width: 36, value: (p) => p.thresholds.join(' ') || '-' },
    { header: 'URL', value: (p) => p.url },
  ];
  const runColumns: TableColumn<LoadTestRun>[] = [
    { header: 'RUN', width: 5, align: 'right', value: (r) => `${lt.baseline === r.id ? '*' : ''}${r.id}` },
    { header: 'WHEN', width: 9, value: (r) => ago(r.startedAt) },
    { header: 'PROFILE', width: 12, value: (r) => r.profile ?? '-' },
    { header: 'REQ/S', width: 8, align: 'right', value: (r) => String(Math.round(r.rps)) },
    { header: 'P50', width: 8, align: 'right', value: (r) => latency(r.latency.p50) },
    { header: 'P95', width: 8, align: 'right', value: (r) => latency(r.latency.p95) },
    { header: 'P99', width: 8, align: 'right', value: (r) => latency(r.latency.p99) },
    { header: 'ERR', width: 6, align: 'right', value: (r) => percent(r.errorRate) },
    { header: 'RESULT', width: 7, value: resultText, color: resultColor },
    { header: 'URL', value: (r) => `${r.method} ${r.url}` },
  ];

  return (
    <Box flexDirection="column" width={width} height={height}>
      <GateConfirm gate={lt.gate} width={Math.min(width, 90)} />
      <Text wrap="truncate">
        <Text bold>Load tests</Text>
        <Text
          dimColor
        >{` · ${plural(profiles.length, 'profile')} · ${plural(data.runs.length, 'run')} stored${lt.baseline ? ` · baseline run ${lt.baseline}` : ''} · focus: ${focus}`}</Text>
      </Text>
      <Box marginTop={1}>
        <Table
          rows={profiles}
          columns={profileColumns}
          selected={profileNav.selected}
          height={profilesHeight}
          width={width}
          focused={focus === 'profiles'}
          rowKey={(p) => p.name}
          emptyText="no profiles: add loadtest.profiles to opsctl.config.json"
        />
      </Box>
      <Box marginTop={1}>
        <Table
          rows={runs}
          columns={runColumns}
          selected={runNav.selected}
          height={runsHeight}
          width={width}
          focused={focus === 'runs'}
          rowKey={(r) => String(r.id)}
          emptyText="no runs stored: select a profile and press enter"
        />
      </Box>
      {run && focus === 'runs' ? (
        <Text dimColor wrap="truncate">
          {`selected run ${run.id}: ${run.method} ${run.url} · ${run.plan.model === 'open' ? `open ${run.plan.rate}/s` : `closed c${run.plan.connections}`} · ${run.requests} requests · ${r2(run.durationMs / 1000)}s`}
        </Text>
      ) : null}
      <FilterPrompt text={filter.text} editing={filter.editing} />
      {lt.panel === 'live' ? <LivePanel lt={lt} width={width} /> : null}
      {lt.panel === 'result' && lt.run.result ? <ResultPanel r={lt.run.result} /> : null}
      {lt.panel === 'compare' ? <ComparePanel state={lt.comparison} /> : null}
    </Box>
  );
}

function LivePanel({ lt, width }: { lt: ReturnType<typeof useLoadTests>; width: number }) {
  if (lt.run.status === 'failed' || lt.run.status === 'cancelled') {
    return (
      <Box flexDirection="column" marginTop={1}>
        <Text
          color={lt.run.status === 'failed' ? 'red' : 'yellow'}
          wrap="wrap"
        >{`${lt.runningProfile}: ${lt.run.status === 'failed' ? lt.run.error?.message : 'stopped; the partial run was not stored'}`}</Text>
      </Box>
    );
  }
  const t = lt.live;
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text wrap="truncate">
        <Text bold>{`running ${lt.runningProfile} `}</Text>
        <Text dimColor>{`${lt.phase ?? 'starting'} `}</Text>
      </Text>
      <ProgressBar
        done={lt.done}
        total={lt.total}
        width={Math.min(50, width - 10)}
        {...(lt.progressUnit === 'time' ? { format: duration } : { unit: 'requests' })}
      />
      {t ? (
        <>
          <Text wrap="truncate">
            <Text bold color="cyan">{`${t.rps} req/s `}</Text>
            <Sparkline values={lt.rpsSeries} width={Math.max(10, Math.min(40, width - 30))} />
            <Text dimColor>{`  ${t.completed} requests`}</Text>
          </Text>
          <Text wrap="truncate">{`p50 ${latency(t.latency.p50)}  p90 ${latency(t.latency.p90)}  p95 ${latency(t.latency.p95)}  p99 ${latency(t.latency.p99)}  max ${latency(t.latency.max)}`}</Text>
          <Text wrap="truncate" color={t.errors ? 'red' : undefined}>{`errors ${t.errors} (non-2xx ${t.non2xx})`}</Text>
        </>
      ) : (
        <Spinner label="connecting…" />
      )}
    </Box>
  );
}

function ResultPanel({ r }: { r: LoadTestRun }) {
  const breached = r.thresholds.filter((t) => !t.passed);
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text wrap="truncate">
        <Text bold>{`run ${r.id} `}</Text>
        <Text>{`${r.rps} req/s · p50 ${latency(r.latency.p50)} · p95 ${latency(r.latency.p95)} · p99 ${latency(r.latency.p99)} · max ${latency(r.latency.max)} · errors ${percent(r.errorRate)}`}</Text>
      </Text>
      <Text dimColor wrap="truncate">{`status ${
        Object.entries(r.statusCodes)
          .map(([k, v]) => `${k}:${v}`)
          .join(' ') || '-'
      } · timeout ${r.errors.timeout} refused ${r.errors.refused} reset ${r.errors.reset} other ${r.errors.other}`}</Text>
      {r.thresholds.map((t) => (
        <Text
          key={t.text}
          wrap="truncate"
          color={t.passed ? 'green' : 'red'}
        >{`${t.passed ? 'pass' : 'FAIL'}  ${t.text.padEnd(14)} ${t.message}`}</Text>
      ))}
      <Text bold color={r.passed ? 'green' : 'red'}>
        {r.passed
          ? r.thresholds.length
            ? 'PASSED'
            : 'done (no thresholds)'
          : `BREACHED: ${breached.map((t) => t.text).join(', ')}`}
      </Text>
    </Box>
  );
}

function ComparePanel({ state }: { state: ReturnType<typeof useLoadTests>['comparison'] }) {
  if (state.status === 'running') return <Spinner label="comparing…" />;
  if (state.status === 'failed')
    return (
      <Text color="red" wrap="wrap">
        {state.error?.message}
      </Text>
    );
  const c = state.result;
  if (!c) return null;
  const [text, color] = VERDICT[c.verdict];
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text wrap="truncate">
        <Text bold>{`run ${c.run.id} vs baseline ${c.baseline.id}: `}</Text>
        <Text bold color={color}>
          {text}
        </Text>
      </Text>
      {c.metrics.map((m) => (
        <Text
          key={m.metric}
          wrap="truncate"
          color={m.change === 'worse' ? 'red' : m.change === 'better' ? 'green' : undefined}
        >
          {`${m.metric.padEnd(11)}${fmt(m.baseline, m.unit).padStart(11)} → ${fmt(m.current, m.unit).padStart(11)}  ${signed(m).padStart(9)}  noise ±${fmt(m.noise, m.unit)}  ${m.change}`}
        </Text>
      ))}
    </Box>
  );
}
