import { useEffect, useState } from 'react';
import type { Maintenance } from '../../src/db/vitals.js';
import type { ComponentHealth } from '../../src/health/types.js';
import type { Binding } from '../keys.js';
import { useServices } from '../services/services.js';
import { useOperation } from './useOperation.js';
import { useResource } from './useResource.js';
import { useTableNavigation } from './useTableNavigation.js';

export const TOP_REFRESH_MS = 10_000;

function outcome<R>(
  state: { status: string; result: R | undefined; error?: Error | undefined },
  done: (r: R) => string,
  runningText: string,
): { status: 'running' | 'done' | 'failed'; text: string } | undefined {
  if (state.status === 'running') return { status: 'running', text: runningText };
  if (state.status === 'done' && state.result) return { status: 'done', text: done(state.result) };
  if (state.status === 'failed') return { status: 'failed', text: state.error?.message ?? 'failed' };
  return undefined;
}

/** Where the pane's keys go: the components table, the selected target's queries, or a step of the maintenance picker. */
export type HealthFocus = 'components' | 'queries' | 'tables' | 'actions';

export interface MaintenanceChoice {
  action: Maintenance;
  /** What the engine runs (src/db/vitals.ts maintainTable). */
  sql: string;
}

/** MySQL/MariaDB have no VACUUM or REINDEX: maintainTable runs OPTIMIZE TABLE for both, so one entry stands for them. */
export function maintenanceChoices(engine: string): MaintenanceChoice[] {
  if (engine === 'mysql')
    return [
      { action: 'analyze', sql: 'ANALYZE TABLE' },
      { action: 'vacuum-analyze', sql: 'OPTIMIZE TABLE' },
    ];
  return [
    { action: 'vacuum-analyze', sql: 'VACUUM ANALYZE' },
    { action: 'analyze', sql: 'ANALYZE' },
    { action: 'reindex', sql: 'REINDEX TABLE' },
  ];
}

/**
 * The Health pane's actions on a database target: its running queries (`db top`, every 10 s while it is selected),
 * cancelling the selected query's statement or ending its session, and maintenance of a table picked from the
 * target's tables (`db indexes` lists them with their sizes) with an action per engine. Each action is a job of the
 * console that asks first (the operation's confirmation: the target's name typed on production). An embedded PGlite
 * is not opened for this: it has no other sessions, and booting it costs seconds and hundreds of MB.
 */
export function useHealthActions(selected: ComponentHealth | undefined) {
  const services = useServices();
  const target =
    selected?.group === 'target' && selected.kind !== 'pglite' && selected.status === 'up' ? selected.name : undefined;
  const engine = selected?.kind ?? '';
  const [focus, setFocus] = useState<HealthFocus>('components');
  // Another row selected (or the target gone down): the lists below belonged to the previous one.
  useEffect(() => setFocus('components'), [target]);

  const top = useResource(async (signal) => (target ? services.run('db.top', { target }, { signal }) : undefined), {
    intervalMs: TOP_REFRESH_MS,
    deps: [target],
  });
  const picking = focus === 'tables' || focus === 'actions';
  const tables = useResource(
    async (signal) => (target && picking ? services.run('db.indexes', { target }, { signal }) : undefined),
    { deps: [target, picking] },
  );
  const settled = { onSettled: () => top.refresh() };
  const cancel = useOperation('db.cancel', settled);
  const terminate = useOperation('db.terminate', settled);
  const maintain = useOperation('db.maintain');

  const queries = top.data && top.data.target === target ? top.data.queries : [];
  const queryNav = useTableNavigation(
    queries.length,
    5,
    queries.map((q) => String(q.id)),
  );
  const query = queries[queryNav.selected];
  const tableList = tables.data && tables.data.target === target ? tables.data.tables : [];
  const tableNav = useTableNavigation(
    tableList.length,
    5,
    tableList.map((t) => t.table),
  );
  const table = tableList[tableNav.selected];
  const choices = maintenanceChoices(engine);
  const choiceNav = useTableNavigation(choices.length, choices.length);
  const choice = choices[choiceNav.selected];

  const ops = [cancel, terminate, maintain];
  const pending = ops.find((o) => o.state.pendingConfirmation);
  const running = ops.some((o) => o.state.status === 'running');
  // The newest action's outcome, as one line for the pane.
  const stopped = (r: { id: number; how: string }) =>
    `session ${r.id}: ${r.how === 'cancel' ? 'statement cancelled' : 'terminated'}`;
  const last = [
    { id: cancel.state.jobId, out: outcome(cancel.state, stopped, 'cancelling…') },
    { id: terminate.state.jobId, out: outcome(terminate.state, stopped, 'terminating…') },
    {
      id: maintain.state.jobId,
      out: outcome(
        maintain.state,
        (r) => `done: ${r.sql} in ${r.durationMs} ms`,
        `running ${maintain.state.input?.action ?? 'maintenance'} on ${maintain.state.input?.table ?? 'a table'}…`,
      ),
    },
  ]
    .filter((o) => o.out)
    .sort((a, b) => (b.id ?? 0) - (a.id ?? 0))[0]?.out;
  const busy = running || !!pending;

  const stop = (how: 'cancel' | 'terminate') => {
    if (!target || !query) return;
    void (how === 'cancel' ? cancel : terminate).run({ target, id: query.id });
  };
  const startMaintenance = () => {
    if (!target || !table || !choice) return;
    setFocus('components');
    void maintain.run({ target, table: table.table, action: choice.action });
  };
  const stopBindings: Binding[] = [
    {
      keys: ['c'],
      label: query ? `cancel #${query.id}` : 'cancel query',
      description: "cancel the selected query's running statement (asks first)",
      run: () => stop('cancel'),
      enabled: !!query && !busy,
    },
    {
      keys: ['x'],
      label: 'terminate',
      description: 'end the session of the selected query (asks first)',
      run: () => stop('terminate'),
      enabled: !!query && !busy,
    },
  ];
  const back: Binding = {
    keys: ['esc', 'h'],
    label: 'back',
    description: 'back to the list of services and targets',
    run: () => setFocus('components'),
  };

  /** The keys of the current focus; with focus on the components the pane adds its own (move, refresh). */
  const bindings: Binding[] =
    focus === 'queries'
      ? [...queryNav.bindings, ...stopBindings, back]
      : focus === 'tables'
        ? [
            ...tableNav.bindings,
            { keys: ['enter', 'l'], label: 'pick table', run: () => setFocus('actions'), enabled: !!table },
            back,
          ]
        : focus === 'actions'
          ? [
              ...choiceNav.bindings,
              {
                keys: ['enter'],
                label: 'run',
                description: 'run it on the table (asks first)',
                run: startMaintenance,
                enabled: !!choice && !busy,
              },
              { ...back, label: 'tables', description: 'back to the tables', run: () => setFocus('tables') },
            ]
          : [
              {
                keys: ['enter', 'l'],
                label: 'queries',
                description: "select among the target's running queries",
                run: () => setFocus('queries'),
                enabled: queries.length > 0,
              },
              ...stopBindings,
              {
                keys: ['m'],
                label: 'maintain',
                description: 'VACUUM ANALYZE / ANALYZE / REINDEX a table of the target (asks first)',
                run: () => setFocus('tables'),
                enabled: !!target && !busy,
              },
            ];

  return {
    target,
    focus,
    bindings,
    queries,
    query: { index: queryNav.selected, selected: query },
    tables: {
      list: tableList,
      index: tableNav.selected,
      selected: table,
      loading: tables.loading,
      error: tables.error,
    },
    choices: { list: choices, index: choiceNav.selected },
    running,
    pending: pending
      ? { confirmation: pending.state.pendingConfirmation!, answer: (yes: boolean) => pending.answerConfirmation(yes) }
      : undefined,
    last,
  };
}
