import { useCallback, useEffect, useMemo, useState } from 'react';
import type { BackupFreshnessResult } from '../../commands/backup/freshness.js';
import type { BackupListResult } from '../../commands/backup/list.js';
import type { BackupEntry } from '../../src/backups/catalog.js';
import { useServices } from '../services/services.js';
import { useOperation } from './useOperation.js';
import { useResource } from './useResource.js';

export const BACKUPS_REFRESH_MS = 60_000;

export interface BackupsData {
  list: BackupListResult;
  freshness: BackupFreshnessResult;
}

export type BackupAction = 'create' | 'verify' | 'restore' | 'prune';

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
      const [{ backupList }, { backupFreshness }] = await Promise.all([
        import('../../commands/backup/list.js'),
        import('../../commands/backup/freshness.js'),
      ]);
      const list = await services.invoke(backupList, {}, { signal });
      const freshness = await services.invoke(backupFreshness, {}, { signal });
      return { list, freshness };
    },
    { intervalMs: BACKUPS_REFRESH_MS },
  );
  const ops = {
    create: useOperation(useCallback(async () => (await import('../../commands/backup/create.js')).backupCreate, [])),
    verify: useOperation(useCallback(async () => (await import('../../commands/backup/verify.js')).backupVerify, [])),
    restore: useOperation(
      useCallback(async () => (await import('../../commands/backup/restore.js')).backupRestore, []),
    ),
    prune: useOperation(useCallback(async () => (await import('../../commands/backup/prune.js')).backupPrune, [])),
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

  const start = (action: BackupAction, input: Record<string, unknown>) => {
    if (running) return;
    setLast(action);
    void ops[action].run(input);
  };
  return {
    data,
    rows,
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
