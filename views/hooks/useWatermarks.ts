import { useState } from 'react';
import type { SyncTableStatus } from '../../src/pipelines/sync/status.js';
import { useServices } from '../services/services.js';
import { useKeymap } from './keymap.js';
import { productionName, useConfirmGate, type GateQuestion } from './useConfirmGate.js';
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
  // A sync writes into its target: on a production target the console asks for the target's name first.
  const gate = useConfirmGate();
  const runTable = (w: SyncTableStatus, force = false) => {
    const go = () => void sync.run({ table: key(w), force });
    const typed = productionName(services.loaded.config, w.target);
    if (!typed) return go();
    gate.ask({
      action: force
        ? `reload ${key(w)} from the whole source into target "${typed}" (PRODUCTION), ignoring its watermark`
        : `sync ${key(w)} into target "${typed}" (PRODUCTION) from its watermark`,
      typed,
      confirmLabel: force ? 'Reload' : 'Sync',
      go,
    });
  };

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
  // One dialog at a time: set's or reset's confirmation (the operation asked), or the production sync gate.
  const asked = set.state.pendingConfirmation ? set : reset.state.pendingConfirmation ? reset : undefined;
  const pending: (Omit<GateQuestion, 'go'> & { answer: (yes: boolean) => void }) | undefined = asked?.state
    .pendingConfirmation
    ? {
        action: asked.state.pendingConfirmation.action,
        typed: asked.state.pendingConfirmation.typed,
        confirmLabel: 'Confirm',
        answer: asked.answerConfirmation,
      }
    : gate.asking
      ? { ...gate.asking, answer: gate.answer }
      : undefined;
  const last = [sync, set, reset].find((o) => o.state.status === 'failed')?.state.error;
  return {
    list,
    sync,
    editing,
    running,
    pending,
    error: last,
    // The latest of set and reset (job ids grow), not whichever happens to hold a result.
    lastChange: (set.state.jobId ?? 0) > (reset.state.jobId ?? 0) ? set.state.result : reset.state.result,
    runTable,
    startSet: (w: SyncTableStatus) => setEditing({ table: key(w), text: w.value ?? '' }),
    resetTable: (w: SyncTableStatus) => void reset.run({ table: key(w) }),
  };
}
