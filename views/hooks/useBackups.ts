import { useEffect, useMemo, useState } from 'react';
import type { InputFor, ResultFor } from '../../commands/catalog.js';
import type { BackupEntry } from '../../src/backups/catalog.js';
import { useServices } from '../services/services.js';
import { useOperation } from './useOperation.js';
import { useResource } from './useResource.js';

export const BACKUPS_REFRESH_MS = 60_000;

export interface BackupsData {
  list: ResultFor<'backup.list'>;
  freshness: ResultFor<'backup.freshness'>;
}

export type BackupAction = 'create' | 'verify' | 'restore' | 'prune';
/** A finished action and its result, typed by the action. */
export type BackupOutcome = { [A in BackupAction]: { action: A; result: ResultFor<`backup.${A}`> } }[BackupAction];

/** A row of the pane: a backup, and whether it is its target's newest and too old. */
export interface BackupRow {
  backup: BackupEntry;
  newest: boolean;
  stale: boolean;
}

/**
 * The catalog and per-target freshness, refreshed in the background, and the pane's four actions (create, verify,
 * restore, prune) with their progress and confirmation. After an action finishes the catalog is read again.
 */
export function useBackups(filter: (text: string) => boolean) {
  const services = useServices();
  const data = useResource<BackupsData>(
    async (signal) => {
      const list = await services.run('backup.list', {}, { signal });
      const freshness = await services.run('backup.freshness', {}, { signal });
      return { list, freshness };
    },
    { intervalMs: BACKUPS_REFRESH_MS },
  );
  const ops = {
    create: useOperation('backup.create'),
    verify: useOperation('backup.verify'),
    restore: useOperation('backup.restore'),
    prune: useOperation('backup.prune'),
  };
  const [last, setLast] = useState<BackupAction>();
  const active = last ? ops[last] : undefined;
  const running = Object.values(ops).some((o) => o.state.status === 'running');

  // A finished action changes the catalog: read it again.
  const doneKey = (Object.keys(ops) as BackupAction[]).map((k) => `${k}:${ops[k].state.status}`).join(',');
  useEffect(() => {
    if (!running && last) data.refresh();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [doneKey]);

  const targets = useMemo(() => Object.keys(services.loaded.config.targets), [services.loaded.config.targets]);
  const [createIndex, setCreateIndex] = useState(0);
  const createTarget = targets.length ? targets[createIndex % targets.length] : undefined;

  const rows: BackupRow[] = useMemo(() => {
    const list = data.data?.list;
    if (!list) return [];
    const seen = new Set<string>();
    return list.backups
      .map((backup) => {
        const newest = !seen.has(backup.target);
        seen.add(backup.target);
        return {
          backup,
          newest,
          stale: newest && Date.now() - Date.parse(backup.finishedAt) > list.maxAgeHours * 3_600_000,
        };
      })
      .filter((r) => filter(`${r.backup.target} ${r.backup.id} ${r.backup.engine}`));
  }, [data.data, filter]);

  const start = <A extends BackupAction>(action: A, input: InputFor<`backup.${A}`>) => {
    if (running) return;
    setLast(action);
    void (ops[action].run as (i: InputFor<`backup.${A}`>) => Promise<unknown>)(input);
  };
  const outcome = ((): BackupOutcome | undefined => {
    switch (last) {
      case 'create':
        return ops.create.state.result && { action: 'create', result: ops.create.state.result };
      case 'verify':
        return ops.verify.state.result && { action: 'verify', result: ops.verify.state.result };
      case 'restore':
        return ops.restore.state.result && { action: 'restore', result: ops.restore.state.result };
      case 'prune':
        return ops.prune.state.result && { action: 'prune', result: ops.prune.state.result };
      default:
        return undefined;
    }
  })();
  return {
    data,
    rows,
    outcome,
    targets,
    createTarget,
    nextCreateTarget: () => setCreateIndex((i) => i + 1),
    create: () => createTarget && start('create', { target: createTarget }),
    verify: (b: BackupEntry | undefined) => b && start('verify', { backup: b.id }),
    restore: (b: BackupEntry | undefined) => b && start('restore', { backup: b.id }),
    prune: () => start('prune', {}),
    last,
    active,
    running,
    cancel: () => active?.cancel(),
  };
}
