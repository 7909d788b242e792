import { Box, Text } from 'ink';
import { ago } from '../../src/format.js';
import type { MigrationEntry, TargetMigrationStatus } from '../../src/migrations/types.js';
import { useFilter } from '../hooks/useFilter.js';
import { useKeymap } from '../hooks/keymap.js';
import { useMigrations } from '../hooks/useMigrations.js';
import { useTableNavigation } from '../hooks/useTableNavigation.js';
import { Confirm, GateConfirm } from '../widgets/Confirm.js';
import { FilterPrompt } from '../widgets/FilterPrompt.js';
import { ProgressBar } from '../widgets/ProgressBar.js';
import { Spinner } from '../widgets/Spinner.js';
import { Table, type TableColumn } from '../widgets/Table.js';
import type { Binding } from '../keys.js';
import type { PaneProps } from './types.js';
import { FirstLoad } from '../widgets/FirstLoad.js';

const STATE_COLOR: Record<MigrationEntry['state'], string> = {
  applied: 'green',
  baseline: 'cyan',
  pending: 'yellow',
  drifted: 'red',
  missing: 'red',
  dirty: 'red',
};

function targetColor(t: TargetMigrationStatus): string {
  if (t.error || t.dirty || t.drifted.length || t.missing.length) return 'red';
  return t.pending.length ? 'yellow' : 'green';
}

/** The migrations of one target as table columns. */
const COLUMNS: TableColumn<MigrationEntry>[] = [
  { header: 'VERSION', width: 15, value: (e) => e.version },
  { header: 'NAME', width: 28, value: (e) => e.name },
  {
    header: 'STATE',
    width: 20,
    value: (e) => (e.outOfOrder ? `${e.state} (out of order)` : e.state),
    color: (e) => STATE_COLOR[e.state],
  },
  { header: 'APPLIED', width: 17, value: (e) => (e.appliedAt ? e.appliedAt.slice(0, 16).replace('T', ' ') : '') },
  { header: 'MS', width: 6, align: 'right', value: (e) => (e.durationMs === undefined ? '' : String(e.durationMs)) },
  { header: 'BY', value: (e) => e.appliedBy ?? '' },
];

type Migrations = ReturnType<typeof useMigrations>;

/** The dry-run plan as lines: a comment per migration, then its statements on one line each. */
function planLines(m: Migrations): string[] {
  if (!m.plan?.result) return [];
  return m.plan.result.plan.flatMap((p) => [
    `-- ${p.direction} ${p.version}_${p.name}${p.transaction ? '' : ' (no transaction)'}`,
    ...p.statements.map((s) => `${s.replace(/\s+/g, ' ')};`),
  ]);
}

/** The pane's keys: navigation, filter, target, up / down, the two dry runs, refresh. */
function useMigrationKeys(m: Migrations, bindings: Binding[]) {
  const t = m.target;
  useKeymap('pane', [
    ...bindings,
    {
      keys: ['t'],
      label: 'target',
      description: 'show the next database target',
      run: m.cycleTarget,
      enabled: m.targets.length > 1,
    },
    {
      keys: ['u'],
      label: 'up',
      description: 'apply the pending migrations of this target (typed name on production)',
      run: m.runUp,
      enabled: Boolean(t && !t.error && t.pending.length) && !m.running && !m.gate.asking,
    },
    {
      keys: ['d'],
      label: 'down',
      description: 'roll back the newest applied migration (asks first; typed on production)',
      run: m.runDown,
      enabled: Boolean(t && t.applied.length) && !m.running,
    },
    {
      keys: ['p'],
      label: 'dry-run up',
      description: 'show the SQL up would run, without running it',
      run: m.previewUp,
      enabled: Boolean(t && !t.error),
    },
    {
      keys: ['P'],
      label: 'dry-run down',
      description: 'show the SQL down would run, without running it',
      run: m.previewDown,
      enabled: Boolean(t && t.applied.length),
    },
    { keys: ['x'], label: 'close preview', run: m.closePlan, enabled: m.shown !== 'none' },
    { keys: ['r'], label: 'refresh', description: "read every target's history again", run: m.status.refresh },
  ]);
}

/** Per target: applied and pending migrations, drift in red, a dirty MySQL migration statement by statement; up, down, dry-run. */
export function MigrationsPane({ width, height }: PaneProps) {
  const m = useMigrations();
  const filter = useFilter();
  const t = m.target;
  const rows = (t?.migrations ?? []).filter((e) => filter.matches(`${e.version} ${e.name} ${e.state}`));
  const plan = planLines(m);
  const dirtyLines = t?.dirty ? 2 + t.dirty.ran.length + t.dirty.notRun.length : 0;
  // Drift (path and both checksums) may wrap to a second line on a narrow terminal.
  const problemLines = t ? 2 * t.drifted.length + t.missing.length + (t.warnings?.length ?? 0) : 0;
  const planHeight = m.shown !== 'none' ? Math.min(12, Math.max(3, plan.length + 1)) : 0;
  // A dialog takes its lines from the table, so the pane never overflows (the typed one is 9 lines high).
  const dialogLines = m.gate.asking || m.down.state.pendingConfirmation ? 9 : 0;
  const tableHeight = Math.max(3, height - 8 - planHeight - dirtyLines - problemLines - dialogLines);
  const nav = useTableNavigation(
    rows.length,
    tableHeight - 1,
    rows.map((e) => e.version),
  );
  useMigrationKeys(m, [...nav.bindings, ...filter.bindings]);

  if (!m.status.data) {
    return <FirstLoad error={m.status.error} label="reading migration history…" width={width} height={height} />;
  }
  const confirmation = m.down.state.pendingConfirmation;

  return (
    <Box flexDirection="column" width={width} height={height}>
      <TargetTabs m={m} />
      {t ? <TargetSummary t={t} /> : null}
      <FilterPrompt text={filter.text} editing={filter.editing} />
      {t?.error ? <Text color="red" wrap="wrap">{`${t.error}${t.hint ? `\n${t.hint}` : ''}`}</Text> : null}
      <Box marginTop={1}>
        <Table
          rows={rows}
          columns={COLUMNS}
          selected={nav.selected}
          height={tableHeight}
          width={width}
          rowKey={(e) => e.version}
          detailTitle={(e) => `${e.version}_${e.name}`}
          detailFields={(e) => [
            ...(e.file ? [{ label: 'file', value: e.file }] : []),
            ...(e.checksum?.file ? [{ label: 'checksum (file)', value: e.checksum.file }] : []),
            ...(e.checksum?.recorded ? [{ label: 'checksum (recorded)', value: e.checksum.recorded }] : []),
          ]}
          emptyText={t ? `no migrations in ${t.dir}` : 'no target'}
        />
      </Box>
      {t?.dirty ? <DirtyBox t={t} /> : null}
      {t ? <Problems t={t} /> : null}
      {m.shown !== 'none' ? <PlanBox m={m} lines={plan} height={planHeight} /> : null}
      <ActionStatus m={m} width={width} />
      <GateConfirm gate={m.gate} width={Math.min(width, 80)} />
      {confirmation ? (
        <Confirm
          action={confirmation.action}
          typed={confirmation.typed}
          confirmLabel="Roll back"
          onAnswer={m.down.answerConfirmation}
          width={Math.min(width, 80)}
        />
      ) : null}
      <Box flexGrow={1} />
      <Text dimColor wrap="truncate">
        {m.status.loading ? <Spinner label="refreshing" /> : `read ${ago(m.status.refreshedAt)}`}
        {m.status.data.unconfigured.length
          ? ` · folders without a target: ${m.status.data.unconfigured.join(', ')}`
          : ''}
      </Text>
    </Box>
  );
}

/** One tab per database target, coloured by its state; the shown one inverted. */
function TargetTabs({ m }: { m: Migrations }) {
  return (
    <Text wrap="truncate">
      {m.targets.map((x, i) => (
        <Text
          key={x.target}
          color={targetColor(x)}
          inverse={x.target === m.target?.target}
          bold={x.target === m.target?.target}
        >
          {`${i ? ' ' : ''} ${x.target} `}
        </Text>
      ))}
      {m.targets.length === 0 ? <Text dimColor>no database targets configured</Text> : null}
    </Text>
  );
}

/**
 * What `migrate status` prints under the table, for every row and not only the selected one: each drifted migration
 * with its file and both checksums (wrapped, never cut), each missing file, the target's warnings.
 */
function Problems({ t }: { t: TargetMigrationStatus }) {
  return (
    <>
      {t.warnings?.map((w, i) => (
        <Text key={`w${i}`} color="yellow" wrap="truncate">{`warning: ${w}`}</Text>
      ))}
      {t.drifted.map((m) => (
        <Text
          key={`d${m.version}`}
          color="red"
          wrap="wrap"
        >{`drift: ${m.file} (version ${m.version}) changed after it was applied: checksum ${m.checksum?.file?.slice(0, 12)}, recorded ${m.checksum?.recorded?.slice(0, 12)}`}</Text>
      ))}
      {t.missing.map((m) => (
        <Text
          key={`m${m.version}`}
          color="red"
          wrap="truncate"
        >{`missing: version ${m.version} (${m.name}) is applied but has no file in ${t.dir}`}</Text>
      ))}
    </>
  );
}

/** The dry run of up or down: the SQL it would run, nothing changed. */
function PlanBox({ m, lines, height }: { m: Migrations; lines: string[]; height: number }) {
  return (
    <Box flexDirection="column" borderStyle="single" borderColor="cyan" paddingX={1} height={height + 2}>
      <Text bold color="cyan">{`dry run: ${m.shown} on ${m.target?.target ?? '?'} (nothing is changed)`}</Text>
      {m.plan?.status === 'running' ? <Spinner label="planning…" /> : null}
      {m.plan?.error ? (
        <Text color="red" wrap="wrap">
          {m.plan.error.message}
        </Text>
      ) : null}
      {m.plan?.result && lines.length === 0 ? <Text dimColor>nothing to run</Text> : null}
      {lines.slice(0, height - 1).map((l, i) => (
        <Text key={i} wrap="truncate" {...(l.startsWith('--') ? { dimColor: true } : {})}>
          {l}
        </Text>
      ))}
    </Box>
  );
}

/** The up or down in progress, or how the last one ended. */
function ActionStatus({ m, width }: { m: Migrations; width: number }) {
  const op =
    m.up.state.status === 'running' ? m.up.state : m.down.state.status === 'running' ? m.down.state : undefined;
  const lastState = m.last === 'up' ? m.up.state : m.last === 'down' ? m.down.state : undefined;
  const failure = lastState?.status === 'failed' ? lastState.error : undefined;
  const upResult = m.last === 'up' && m.up.state.status === 'done' ? m.up.state.result : undefined;
  const downResult = m.last === 'down' && m.down.state.status === 'done' ? m.down.state.result : undefined;
  return (
    <>
      {op ? (
        <ProgressBar
          width={width}
          label={op.progress?.phase ?? 'starting'}
          done={op.progress?.done}
          total={op.progress?.total}
          unit="statements"
        />
      ) : null}
      {op?.progress?.note ? (
        <Text dimColor wrap="truncate">
          {op.progress.note}
        </Text>
      ) : null}
      {failure ? (
        <Text color="red" wrap="wrap">
          {failure.message}
        </Text>
      ) : null}
      {upResult ? (
        <Text
          color="green"
          wrap="truncate"
        >{`applied ${upResult.done.length} on ${upResult.target}; now at ${upResult.current ?? 'none'}`}</Text>
      ) : null}
      {downResult ? (
        <Text
          color="yellow"
          wrap="truncate"
        >{`rolled back ${downResult.done.map((d) => d.version).join(', ')} on ${downResult.target}`}</Text>
      ) : null}
    </>
  );
}

function TargetSummary({ t }: { t: TargetMigrationStatus }) {
  return (
    <Text wrap="truncate">
      <Text bold>{t.target}</Text>
      <Text dimColor>{` ${t.engine} ${t.location}`}</Text>
      {t.production ? (
        <Text color="red" bold>
          {' PRODUCTION'}
        </Text>
      ) : null}
      <Text>{` · at ${t.current ?? 'none'} · `}</Text>
      <Text color="green">{`${t.applied.length} applied`}</Text>
      <Text dimColor> · </Text>
      <Text color={t.pending.length ? 'yellow' : undefined}>{`${t.pending.length} pending`}</Text>
      {t.drifted.length ? <Text color="red" bold>{` · ${t.drifted.length} drifted`}</Text> : null}
      {t.missing.length ? <Text color="red" bold>{` · ${t.missing.length} missing`}</Text> : null}
      {t.dirty ? (
        <Text color="red" bold>
          {' · DIRTY'}
        </Text>
      ) : null}
    </Text>
  );
}

function DirtyBox({ t }: { t: TargetMigrationStatus }) {
  const d = t.dirty!;
  const one = (s: string) => s.replace(/\s+/g, ' ');
  return (
    <Box flexDirection="column">
      {d.runningBy ? (
        <Text
          color="yellow"
          bold
          wrap="truncate"
        >{`running: ${d.operation} of ${d.version}_${d.name} by ${d.runningBy}, ${d.statementsDone} of ${d.statementsTotal} statements done`}</Text>
      ) : (
        <Text
          color="red"
          bold
          wrap="truncate"
        >{`dirty: ${d.operation} of ${d.version}_${d.name} stopped after ${d.statementsDone} of ${d.statementsTotal} statements — fix by hand, then opsctl migrate repair`}</Text>
      )}
      {d.ran.map((s, i) => (
        <Text key={`r${i}`} wrap="truncate">
          <Text color="green">{'  ran     '}</Text>
          {`${i + 1}. ${one(s)}`}
        </Text>
      ))}
      {d.failedStatement ? (
        <Text wrap="truncate">
          <Text color="red">{'  FAILED  '}</Text>
          {`${d.failedStatement}. ${one(d.failed ?? '?')}: ${d.error ?? ''}`}
        </Text>
      ) : null}
      {d.notRun.map((s, i) => (
        <Text key={`n${i}`} dimColor wrap="truncate">
          {`  not run ${(d.failedStatement ?? d.statementsDone) + 1 + i}. ${one(s)}`}
        </Text>
      ))}
    </Box>
  );
}
