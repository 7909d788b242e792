import { useEffect, useState } from 'react';
import { Box, Text } from 'ink';
import { duration } from '../../src/format.js';
import { useKeymap } from '../hooks/keymap.js';
import { useJobStore, useJobs } from '../hooks/useJobs.js';
import { useTableNavigation } from '../hooks/useTableNavigation.js';
import type { Job } from '../services/jobs.js';
import { Table, type TableColumn } from '../widgets/Table.js';

const STATUS_COLOR: Record<Job['status'], string> = {
  running: 'cyan',
  done: 'green',
  failed: 'red',
  cancelled: 'yellow',
  asking: 'yellow',
};

/** A finished job in a few words: its error, or whether the result says ok. */
export function jobOutcome(job: Job): string {
  if (job.status === 'running') {
    const p = job.progress;
    if (!p) return 'starting';
    return `${p.phase}${p.total ? ` ${p.done ?? 0}/${p.total}` : ''}${p.note ? ` · ${p.note}` : ''}`;
  }
  if (job.status === 'asking') return 'waiting for confirmation';
  if (job.error) return job.error.message.replace(/\s+/g, ' ');
  const result = job.result as { ok?: unknown; passed?: unknown } | undefined;
  if (result && typeof result === 'object') {
    if (result.ok === false || result.passed === false) return 'finished: FAILED';
    if (result.ok === true || result.passed === true) return 'finished: ok';
  }
  return job.status === 'cancelled' ? 'cancelled' : 'finished';
}

const elapsed = (job: Job, now: number) => duration((job.finishedAt ?? now) - job.startedAt);

/** Every action started from the console, newest first: operation, subject, phase, progress, elapsed, result. */
export function JobsView({ width, height, onClose }: { width: number; height: number; onClose: () => void }) {
  const store = useJobStore();
  const jobs = [...useJobs()].reverse();
  const tableHeight = Math.max(3, height - 3);
  const nav = useTableNavigation(jobs.length, tableHeight - 1);
  const selected = jobs[nav.selected];
  const [now, setNow] = useState(Date.now());
  const running = jobs.some((j) => j.status === 'running');
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [running]);
  // A result shown under the cursor has been read.
  useEffect(() => {
    if (selected && !selected.read) store.markRead(selected.id);
  }, [selected, store]);

  useKeymap('modal', [
    ...nav.bindings,
    {
      keys: ['x'],
      label: 'cancel job',
      description: "cancel the selected job (aborts the operation's signal)",
      run: () => selected && store.cancel(selected.id),
      enabled: selected?.status === 'running',
    },
    { keys: ['esc', 'J'], label: 'close', description: 'back to the pane', run: onClose },
  ]);

  const columns: TableColumn<Job>[] = [
    { header: '#', width: 4, align: 'right', value: (j) => String(j.id) },
    { header: 'OPERATION', width: 16, value: (j) => j.operation },
    { header: 'TARGET', width: 16, value: (j) => j.subject ?? '' },
    { header: 'STATUS', width: 10, value: (j) => j.status, color: (j) => STATUS_COLOR[j.status] },
    { header: 'ELAPSED', width: 8, align: 'right', value: (j) => elapsed(j, now) },
    { header: 'PHASE / RESULT', value: (j) => `${j.read || j.status === 'running' ? '' : '● '}${jobOutcome(j)}` },
  ];
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold>{`Jobs · ${jobs.filter((j) => j.status === 'running').length} running · ${jobs.length} in all`}</Text>
      <Table
        rows={jobs}
        columns={columns}
        selected={nav.selected}
        height={tableHeight}
        width={width}
        rowKey={(j) => String(j.id)}
        emptyText="no jobs yet: actions started from any pane run here"
      />
      {selected?.error ? (
        <Text color="red" wrap="wrap">
          {selected.error.message}
        </Text>
      ) : null}
    </Box>
  );
}
