import { useState } from 'react';
import { Box, Text } from 'ink';
import { duration } from '../../src/format.js';
import { useFilter } from '../hooks/useFilter.js';
import { useKeymap } from '../hooks/keymap.js';
import { useTableNavigation } from '../hooks/useTableNavigation.js';
import { useValidate, type CheckResult, type ValidateEnv } from '../hooks/useValidate.js';
import { FilterPrompt } from '../widgets/FilterPrompt.js';
import { Spinner } from '../widgets/Spinner.js';
import { Table, type TableColumn } from '../widgets/Table.js';

const STATUS_COLOR: Record<CheckResult['status'], string> = { pass: 'green', warn: 'yellow', fail: 'red' };

/** `opsctl validate` inside the console: the checks stream in as they finish; the selected one shows its hint. */
export function ValidateView({
  width,
  height,
  initialEnv,
  onClose,
}: {
  width: number;
  height: number;
  initialEnv: ValidateEnv;
  onClose: () => void;
}) {
  const v = useValidate(initialEnv);
  const filter = useFilter();
  const [problemsOnly, setProblemsOnly] = useState(false);
  const rows = v.checks.filter(
    (c) => (!problemsOnly || c.status !== 'pass') && filter.matches(`${c.group} ${c.name} ${c.reason}`),
  );
  const tableHeight = Math.max(3, height - 7);
  const nav = useTableNavigation(rows.length, tableHeight - 1);

  useKeymap('pane', [
    ...nav.bindings,
    ...filter.bindings,
    { keys: ['x'], label: 'stop', description: 'stop the checks in flight', run: v.cancel, enabled: v.running },
    { keys: ['r'], label: 'run again', description: 'run every check again', run: v.rerun, enabled: !v.running },
    {
      keys: ['e'],
      label: `env ${v.env}`,
      description: 'validate for the next environment (development → staging → production)',
      run: v.cycleEnv,
    },
    {
      keys: ['p'],
      label: problemsOnly ? 'show all' : 'problems only',
      description: 'show only warnings and failures',
      run: () => setProblemsOnly((p) => !p),
    },
    { keys: ['esc', 'v'], label: 'back', description: 'back to the overview', run: onClose, enabled: !filter.text },
  ]);

  const selected = rows[nav.selected];
  const columns: TableColumn<CheckResult>[] = [
    { header: 'RESULT', width: 6, value: (c) => c.status.toUpperCase(), color: (c) => STATUS_COLOR[c.status] },
    { header: 'GROUP', width: 12, value: (c) => c.group },
    { header: 'CHECK', width: 26, value: (c) => c.name },
    { header: 'REASON', value: (c) => c.reason },
  ];
  const counts = { pass: 0, warn: 0, fail: 0 };
  for (const c of v.checks) counts[c.status] += 1;

  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text wrap="truncate">
        <Text bold>Validate</Text>
        <Text dimColor>{` for ${v.env} · `}</Text>
        <Text color="green">{`${counts.pass} pass`}</Text>
        <Text dimColor> · </Text>
        <Text color="yellow">{`${counts.warn} warn`}</Text>
        <Text dimColor> · </Text>
        <Text color="red">{`${counts.fail} fail`}</Text>
        {v.result ? (
          <Text bold color={v.result.ok ? 'green' : 'red'}>
            {v.result.ok ? '  safe to ship' : '  NOT safe to ship'}
          </Text>
        ) : null}
      </Text>
      <FilterPrompt text={filter.text} editing={filter.editing} />
      <Box marginTop={1}>
        <Table
          rows={rows}
          columns={columns}
          selected={nav.selected}
          height={tableHeight}
          width={width}
          rowKey={(c) => `${c.group}/${c.name}`}
          emptyText={v.running ? 'checking…' : 'no checks match'}
        />
      </Box>
      {selected && selected.status !== 'pass' && selected.hint ? (
        <Text wrap="truncate" dimColor>
          hint: {selected.hint}
        </Text>
      ) : null}
      {v.error ? (
        <Text color="red" wrap="wrap">
          {v.error.message}
        </Text>
      ) : null}
      <Box flexGrow={1} />
      <Text dimColor wrap="truncate">
        {v.running ? (
          <Spinner label={`checking ${v.phase ?? ''}…`} />
        ) : v.result ? (
          `done in ${duration(v.result.durationMs)} · r to run again`
        ) : (
          'stopped · r to run again'
        )}
      </Text>
    </Box>
  );
}
