import { useState } from 'react';
import type { SyncTableStatus } from '../../src/pipelines/sync/status.js';
import { useServices } from '../services/services.js';
import { useKeymap } from './keymap.js';
import { useOperation } from './useOperation.js';
import { useResource } from './useResource.js';

export const WATERMARKS_REFRESH_MS = 30_000;

/**
 * The Watermarks pane's logic: the list (refreshed in the background), a sync of one table (optionally forced), and
 * setting or resetting a watermark. Set and reset go through the operation's confirmation: the pane shows the dialog.
 * Setting takes a typed value in a modal prompt (Enter submits, Esc cancels).
 */
export function useWatermarks() {
  const services = useServices();
  const list = useResource(async (signal) => services.run('watermarks.list', {}, { signal }), {
    intervalMs: WATERMARKS_REFRESH_MS,
  });
  // Every job of this pane that ends (a confirmed set or reset included) reads the list again.
  const settled = { onSettled: () => list.refresh() };
  const sync = useOperation('sync.run', settled);
  const set = useOperation('watermarks.set', settled);
  const reset = useOperation('watermarks.reset', settled);
  const [editing, setEditing] = useState<{ table: string; text: string } | undefined>(undefined);

  const key = (w: SyncTableStatus) => `${w.pipeline}/${w.table}`;

  useKeymap(
    'modal',
    [
      {
        keys: ['enter'],
        label: 'set watermark',
        run: () => {
          if (!editing) return;
          setEditing(undefined);
          if (editing.text.trim()) void set.run({ table: editing.table, value: editing.text.trim() });
        },
      },
      { keys: ['esc'], label: 'cancel', run: () => setEditing(undefined) },
      {
        keys: ['backspace'],
        label: 'erase',
        hidden: true,
        run: () => setEditing((e) => e && { ...e, text: e.text.slice(0, -1) }),
      },
    ],
    { active: editing !== undefined, onText: (input) => setEditing((e) => e && { ...e, text: e.text + input }) },
  );

  const running = sync.state.status === 'running' || set.state.status === 'running' || reset.state.status === 'running';
  const pending = set.state.pendingConfirmation
    ? { op: set }
    : reset.state.pendingConfirmation
      ? { op: reset }
      : undefined;
  const last = [sync, set, reset].find((o) => o.state.status === 'failed')?.state.error;
  return {
    list,
    sync,
    editing,
    running,
    pending: pending
      ? {
          confirmation: pending.op.state.pendingConfirmation!,
          answer: (yes: boolean) => pending.op.answerConfirmation(yes),
        }
      : undefined,
    error: last,
    // The latest of set and reset (job ids grow), not whichever happens to hold a result.
    lastChange: (set.state.jobId ?? 0) > (reset.state.jobId ?? 0) ? set.state.result : reset.state.result,
    runTable: (w: SyncTableStatus, force = false) => void sync.run({ table: key(w), force }),
    startSet: (w: SyncTableStatus) => setEditing({ table: key(w), text: w.value ?? '' }),
    resetTable: (w: SyncTableStatus) => void reset.run({ table: key(w) }),
  };
}
