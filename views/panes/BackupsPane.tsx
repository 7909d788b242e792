import { useCallback, useEffect } from 'react';
import { Box, Text } from 'ink';
import { ago, bytes, plural, span } from '../../src/format.js';
import { BACKUPS_REFRESH_MS, useBackups, type BackupOutcome, type BackupRow } from '../hooks/useBackups.js';
import { useFilter } from '../hooks/useFilter.js';
import { useKeymap } from '../hooks/keymap.js';
import { useTableNavigation } from '../hooks/useTableNavigation.js';
import { Confirm } from '../widgets/Confirm.js';
import { FilterPrompt } from '../widgets/FilterPrompt.js';
import { ProgressBar } from '../widgets/ProgressBar.js';
import { Spinner } from '../widgets/Spinner.js';
import { Table, type TableColumn } from '../widgets/Table.js';
import type { PaneProps } from './types.js';

/** One line saying how the last action ended. */
function outcome(o: BackupOutcome): { text: string; color: string } {
  switch (o.action) {
    case 'create': {
      const r = o.result;
      return { text: `created ${r.backup.id} (${bytes(r.backup.sizeBytes)}); verify it with v`, color: 'green' };
    }
    case 'verify': {
      const r = o.result;
      const failed = r.steps.find((s) => !s.ok);
      return r.ok
        ? { text: `verified ${r.backup.id}: ${r.steps.map((s) => s.detail).at(-1)}`, color: 'green' }
        : { text: `verify FAILED ${r.backup.id}: ${failed?.step}: ${failed?.detail}`, color: 'red' };
    }
    case 'restore': {
      const r = o.result;
      return {
        text: `restored ${r.backup.id} into ${r.target}: ${r.replaced.length} tables replaced, ${r.created.length} created, ${r.removed.length} removed, ${r.untouched.length} untouched`,
        color: r.matchesManifest ? 'green' : 'red',
      };
    }
    case 'prune': {
      const r = o.result;
      return {
        text: r.deleted.length
          ? `pruned ${plural(r.deleted.length, 'backup')}, ${bytes(r.freedBytes)} freed`
          : 'nothing to prune: the policy keeps every backup',
        color: 'green',
      };
    }
  }
}

export function BackupsPane({ width, height }: PaneProps) {
  const filter = useFilter();
  const matches = useCallback((s: string) => filter.matches(s), [filter.text]); // eslint-disable-line react-hooks/exhaustive-deps
  const b = useBackups(matches);
  const tableHeight = Math.max(3, height - 8);
  const nav = useTableNavigation(
    b.rows.length,
    tableHeight - 1,
    b.rows.map((r) => r.backup.id),
  );
  const selected = b.rows[nav.selected]?.backup;
  // "created X; verify it with v": the new backup becomes the selected row, so v verifies the backup it names.
  const created = b.outcome?.action === 'create' ? b.outcome.result.backup.id : undefined;
  const { selectKey } = nav;
  useEffect(() => {
    if (created) selectKey(created);
  }, [created]); // eslint-disable-line react-hooks/exhaustive-deps
  const pending = b.active?.state.pendingConfirmation;

  useKeymap('pane', [
    {
      keys: ['c'],
      label: `create ${b.createTarget ?? ''}`.trim(),
      description: 'back up the target shown (t picks another)',
      run: b.create,
      enabled: !b.running && b.createTarget !== undefined,
    },
    {
      keys: ['t'],
      label: 'target',
      description: 'pick the target c backs up',
      run: b.nextCreateTarget,
      enabled: b.targets.length > 1,
    },
    {
      keys: ['v'],
      label: 'verify',
      description: 'restore drill of the selected backup: checksum, scratch restore, row counts',
      run: () => b.verify(selected),
      enabled: !b.running && selected !== undefined,
    },
    {
      keys: ['R'],
      label: 'restore',
      description: 'restore the selected backup into its target (asks first)',
      run: () => b.restore(selected),
      enabled: !b.running && selected !== undefined,
    },
    {
      keys: ['p'],
      label: 'prune',
      description: 'delete what the retention policy does not keep (asks first)',
      run: b.prune,
      enabled: !b.running,
    },
    { keys: ['x'], label: 'cancel', description: 'cancel the running action', run: b.cancel, enabled: b.running },
    ...filter.bindings,
    { keys: ['r'], label: 'refresh', description: 'read the catalog again now', run: b.data.refresh },
    ...nav.bindings,
  ]);

  const columns: TableColumn<BackupRow>[] = [
    { header: 'TARGET', width: 12, value: (r) => r.backup.target },
    { header: 'BACKUP', width: 34, value: (r) => r.backup.id },
    { header: 'ENGINE', width: 9, value: (r) => r.backup.engine },
    { header: 'SIZE', width: 10, align: 'right', value: (r) => bytes(r.backup.sizeBytes) },
    {
      header: 'AGE',
      width: 12,
      value: (r) => `${ago(r.backup.finishedAt)}${r.stale ? ' STALE' : ''}`,
      color: (r) => (r.stale ? 'red' : undefined),
    },
    {
      header: 'VERIFIED',
      value: (r) =>
        r.backup.verifyStatus === 'passed'
          ? `yes ${ago(r.backup.verifiedAt)}`
          : r.backup.verifyStatus === 'failed'
            ? 'FAILED'
            : 'no',
      color: (r) => (r.backup.verifyStatus === 'failed' ? 'red' : r.backup.verified ? 'green' : 'yellow'),
    },
  ];

  const fresh = b.data.data?.freshness;
  const state = b.active?.state;
  return (
    <Box flexDirection="column" width={width} height={height}>
      {pending ? (
        <Confirm
          action={pending.action}
          typed={pending.typed}
          confirmLabel={b.last === 'prune' ? 'Delete' : 'Restore'}
          onAnswer={b.active!.answerConfirmation}
          width={Math.min(width, 90)}
        />
      ) : null}
      {fresh ? (
        <Text wrap="truncate">
          {fresh.targets.length === 0 ? <Text dimColor>no database targets configured</Text> : null}
          {fresh.targets.map((t, i) => (
            <Text key={t.target}>
              {i ? '  ' : ''}
              <Text bold>{t.target}</Text>{' '}
              <Text color={t.absent ? 'gray' : t.stale ? 'red' : 'green'}>
                {t.absent
                  ? 'absent'
                  : t.stale
                    ? t.ageHours === null
                      ? 'no verified backup'
                      : `STALE ${span(t.ageHours * 3_600_000)}`
                    : `ok ${span((t.ageHours ?? 0) * 3_600_000)}`}
              </Text>
            </Text>
          ))}
          <Text dimColor>{`  · newest verified backup must be < ${fresh.maxAgeHours}h`}</Text>
        </Text>
      ) : b.data.error ? (
        <Text color="red" wrap="wrap">
          {b.data.error.message}
        </Text>
      ) : (
        <Spinner label="reading the catalog…" />
      )}
      <Box marginTop={1}>
        <Table
          rows={b.rows}
          columns={columns}
          selected={nav.selected}
          height={tableHeight}
          width={width}
          rowKey={(r) => r.backup.id}
          emptyText={b.createTarget ? `no backups: press c to back up ${b.createTarget}` : 'no backups'}
        />
      </Box>
      {selected ? (
        <Text dimColor wrap="truncate">
          {`${selected.id} · ${selected.path} · sha256 ${selected.sha256.slice(0, 12)}… · ${selected.tables.length} tables, ${selected.tables.reduce((n, t) => n + t.rows, 0)} rows · ${selected.serverVersion}`}
        </Text>
      ) : null}
      <FilterPrompt text={filter.text} editing={filter.editing} />
      <Box flexGrow={1} />
      {state?.status === 'running' ? (
        state.progress?.total ? (
          <ProgressBar
            label={`${b.last} · ${state.progress.phase}${state.progress.note ? ` ${state.progress.note}` : ''}`}
            done={state.progress.done}
            total={state.progress.total}
            width={width}
            unit={b.last === 'prune' ? 'backups' : 'steps'}
          />
        ) : (
          <Spinner
            label={`${b.last} · ${state.progress?.phase ?? 'starting'}${state.progress?.note ? ` ${state.progress.note}` : ''}`}
          />
        )
      ) : state?.status === 'failed' ? (
        <Text color="red" wrap="truncate">{`${b.last} failed: ${state.error?.message}`}</Text>
      ) : state?.status === 'cancelled' ? (
        <Text color="yellow">{`${b.last} cancelled`}</Text>
      ) : state?.status === 'done' && b.outcome ? (
        <Text color={outcome(b.outcome).color} wrap="truncate">
          {outcome(b.outcome).text}
        </Text>
      ) : null}
      <Text dimColor wrap="truncate">
        {b.data.loading ? <Spinner label="refreshing" /> : `read ${ago(b.data.refreshedAt)}`}
        {` · every ${BACKUPS_REFRESH_MS / 1000}s · ${plural(b.rows.length, 'backup')}`}
      </Text>
    </Box>
  );
}
