import { useCallback, useEffect, useState } from 'react';
import type { TargetMigrationStatus } from '../../src/migrations/types.js';
import { useServices } from '../services/services.js';
import { useConfirmGate } from './useConfirmGate.js';
import { useOperation } from './useOperation.js';
import { useResource } from './useResource.js';

export const MIGRATIONS_REFRESH_MS = 60_000;

/**
 * The Migrations pane's state: the status of every target (refreshed in the background), the selected target, and
 * the up / down / dry-run actions with their progress and confirmation.
 */
export function useMigrations() {
  const services = useServices();
  const status = useResource(async (signal) => services.run('migrate.status', {}, { signal }), {
    intervalMs: MIGRATIONS_REFRESH_MS,
  });
  const targets: TargetMigrationStatus[] = status.data?.targets ?? [];
  const [index, setIndex] = useState(0);
  const target = targets[Math.min(index, Math.max(0, targets.length - 1))];
  const up = useOperation('migrate.up');
  const down = useOperation('migrate.down');
  // The dry runs are jobs of their own slot, apart from the real up and down.
  const preview = useOperation('migrate.up', { slot: 'migrate.up:dry-run' });
  const previewDown = useOperation('migrate.down', { slot: 'migrate.down:dry-run' });
  const [shown, setShown] = useState<'none' | 'up' | 'down'>('none');
  /** The action whose outcome is on screen. */
  const [last, setLast] = useState<'up' | 'down'>();
  const running = up.state.status === 'running' || down.state.status === 'running';

  // After an up or a down finishes (or fails half-way), read the status again.
  useEffect(() => {
    if (
      up.state.status === 'done' ||
      up.state.status === 'failed' ||
      down.state.status === 'done' ||
      down.state.status === 'failed'
    )
      status.refresh();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [up.state.status, down.state.status]);

  const cycleTarget = useCallback(() => {
    setShown('none');
    setIndex((i) => (targets.length ? (i + 1) % targets.length : 0));
  }, [targets.length]);

  const name = target?.target;
  // migrate.up has no confirmation step (deploys run it unattended), but from the console a production target is
  // changed only after its name is typed, as `d` asks.
  const gate = useConfirmGate();
  const startUp = (t: TargetMigrationStatus) => (setShown('none'), setLast('up'), void up.run({ target: t.target }));
  const runUp = () => {
    if (!target) return;
    if (!target.production) return startUp(target);
    setShown('none');
    const pending = target.pending.map((e) => `${e.version}_${e.name}`);
    gate.ask({
      action: `apply ${pending.length} pending migration${pending.length === 1 ? '' : 's'} (${pending.join(', ')}) on target "${target.target}" (PRODUCTION)`,
      typed: target.target,
      confirmLabel: 'Apply',
      go: () => startUp(target),
    });
  };
  return {
    gate,
    status,
    targets,
    target,
    cycleTarget,
    running,
    up,
    down,
    /** The plan on screen: the dry-run of up or of down. */
    plan: shown === 'up' ? preview.state : shown === 'down' ? previewDown.state : undefined,
    shown,
    closePlan: () => setShown('none'),
    last,
    runUp,
    runDown: () => name && (setShown('none'), setLast('down'), void down.run({ target: name, steps: 1 })),
    previewUp: () => name && (setShown('up'), void preview.run({ target: name, dryRun: true })),
    previewDown: () => name && (setShown('down'), void previewDown.run({ target: name, steps: 1, dryRun: true })),
  };
}
