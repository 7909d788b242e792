import { useRef, useState } from 'react';
import { Box, Text } from 'ink';
import { ago } from '../../src/format.js';
import type { ComponentHealth } from '../../src/health/types.js';
import { useKeymap } from '../hooks/keymap.js';
import { useResource } from '../hooks/useResource.js';
import { useTableNavigation } from '../hooks/useTableNavigation.js';
import { useServices } from '../services/services.js';
import { Table, type TableColumn } from '../widgets/Table.js';
import { Spinner } from '../widgets/Spinner.js';
import { ValidateView } from '../views/ValidateView.js';
import type { PaneProps } from './types.js';

export const OVERVIEW_REFRESH_MS = 15_000;

const STATUS_COLOR: Record<ComponentHealth['status'], string> = {
  up: 'green',
  down: 'red',
  busy: 'yellow',
  absent: 'gray',
  unchecked: 'gray',
};

/** Config source, state store, warehouse and every database target, with live connectivity and version. */
export function OverviewPane({ width, height }: PaneProps) {
  const services = useServices();
  // Coming back to the pane reuses the engine's answers younger than half a refresh (the timer's own refresh always
  // probes again); `r` asks every component again.
  const fresh = useRef(false);
  const overview = useResource(
    async (signal) => {
      const maxAgeMs = fresh.current ? 0 : OVERVIEW_REFRESH_MS / 2;
      fresh.current = false;
      return services.run('status', { timeoutMs: 5_000, maxAgeMs }, { signal });
    },
    { intervalMs: OVERVIEW_REFRESH_MS },
  );
  const recheck = () => {
    fresh.current = true;
    overview.refresh();
  };
  const data = overview.data;
  const rows: ComponentHealth[] = data?.components ?? [];
  const tableHeight = Math.max(3, Math.min(rows.length + 1, height - 9));
  const nav = useTableNavigation(rows.length, tableHeight - 1);
  const [showDetails, setShowDetails] = useState(true);
  const [validating, setValidating] = useState(false);

  useKeymap(
    'pane',
    [
      ...nav.bindings,
      { keys: ['r'], label: 'refresh', description: 'check every component again now', run: recheck },
      { keys: ['enter'], label: showDetails ? 'hide details' : 'details', run: () => setShowDetails((d) => !d) },
      {
        keys: ['v'],
        label: 'validate',
        description: 'run the pre-deployment gate (opsctl validate) with results streaming in',
        run: () => setValidating(true),
      },
    ],
    { active: !validating },
  );

  const selected = rows[nav.selected];
  const columns: TableColumn<(typeof rows)[number]>[] = [
    { header: 'COMPONENT', width: 18, value: (r) => r.label },
    { header: 'KIND', width: 9, value: (r) => r.kind },
    { header: 'STATUS', width: 7, value: (r) => r.status, color: (r) => STATUS_COLOR[r.status] },
    { header: 'VERSION', width: 22, value: (r) => r.version ?? '' },
    {
      header: 'LATENCY',
      width: 8,
      align: 'right',
      value: (r) => (r.latencyMs === undefined ? '' : `${r.latencyMs}ms`),
    },
    { header: 'WHERE', value: (r) => r.location },
  ];

  const config = services.loaded;
  if (validating) {
    return (
      <ValidateView
        width={width}
        height={height}
        initialEnv={config.config.environment}
        onClose={() => setValidating(false)}
      />
    );
  }
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text wrap="truncate">
        <Text dimColor>config </Text>
        {config.configFile ?? 'embedded defaults (no opsctl.config.json)'}
        <Text dimColor>{'  env '}</Text>
        {config.config.environment}
      </Text>
      <Text wrap="truncate">
        <Text dimColor>home </Text>
        {config.config.home}
        {data ? <Text dimColor>{`  opsctl ${data.opsctlVersion}`}</Text> : null}
      </Text>
      <Box marginTop={1}>
        {data ? (
          <Table
            rows={rows}
            columns={columns}
            selected={nav.selected}
            height={tableHeight}
            width={width}
            rowKey={(r) => r.id}
          />
        ) : overview.error ? (
          <Text color="red">{overview.error.message}</Text>
        ) : (
          <Spinner label="checking components…" />
        )}
      </Box>
      {showDetails && selected ? <Details component={selected} width={width} /> : null}
      <Box flexGrow={1} />
      <Text dimColor wrap="truncate">
        {overview.loading ? <Spinner label="refreshing" /> : `checked ${ago(overview.refreshedAt)}`}
        {` · every ${OVERVIEW_REFRESH_MS / 1000}s · r to refresh now · v to validate`}
      </Text>
    </Box>
  );
}

function Details({ component, width }: { component: ComponentHealth; width: number }) {
  return (
    <Box flexDirection="column" marginTop={1} width={width}>
      <Text bold wrap="truncate">
        {component.label}: <Text color={STATUS_COLOR[component.status]}>{component.status}</Text>
      </Text>
      <Text wrap="truncate">
        <Text dimColor>where </Text>
        {component.location}
      </Text>
      {component.error ? (
        <Text color="red" wrap="wrap">
          {component.error}
        </Text>
      ) : null}
      {component.hint ? (
        <Text dimColor wrap="wrap">
          hint: {component.hint}
        </Text>
      ) : null}
    </Box>
  );
}
