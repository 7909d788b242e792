import { StateVersionError } from '../errors.js';
import { OPSCTL_VERSION } from '../version.js';
import type { StateMigration } from './schema/types.js';
import type { StateStore } from './store.js';

export interface MigrateResult {
  applied: string[];
}

/**
 * Brings the store's schema forward. A store that holds migrations this opsctl does not know was written by a newer
 * opsctl: refuse it rather than write rows it would misread.
 */
export async function migrateState(store: StateStore, migrations: StateMigration[]): Promise<MigrateResult> {
  const known = new Set(migrations.map((m) => m.id));
  const fast = await readApplied(store).catch(() => undefined);
  if (fast) {
    refuseNewer(store, fast, known);
    if (migrations.every((m) => fast.has(m.id))) return { applied: [] };
  }

  return store.transaction(
    async (tx) => {
      await tx.execScript(
        `CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at ${tx.dialect.timestamp} NOT NULL, opsctl_version TEXT NOT NULL)`,
      );
      const rows = await tx.query<{ id: string; opsctl_version: string }>(
        'SELECT id, opsctl_version FROM schema_migrations',
      );
      const applied = new Map(rows.map((r) => [r.id, r.opsctl_version]));
      refuseNewer(store, applied, known);
      const done: string[] = [];
      for (const migration of migrations) {
        if (applied.has(migration.id)) continue;
        await tx.execScript(migration.up(tx.dialect));
        await tx.run('INSERT INTO schema_migrations (id, applied_at, opsctl_version) VALUES (?, ?, ?)', [
          migration.id,
          new Date().toISOString(),
          OPSCTL_VERSION,
        ]);
        done.push(migration.id);
      }
      return { applied: done };
    },
    { lockKey: 'state-migrate' },
  );
}

async function readApplied(store: StateStore): Promise<Map<string, string>> {
  const rows = await store.query<{ id: string; opsctl_version: string }>(
    'SELECT id, opsctl_version FROM schema_migrations',
  );
  return new Map(rows.map((r) => [r.id, r.opsctl_version]));
}

function refuseNewer(store: StateStore, applied: Map<string, string> | Set<string>, known: Set<string>): void {
  const unknown = [...applied.keys()].filter((id) => !known.has(id));
  if (unknown.length === 0) return;
  const versions =
    applied instanceof Map ? [...new Set(unknown.map((id) => applied.get(id)))].join(', ') : 'a newer version';
  throw new StateVersionError(
    `the state store at ${store.location} was written by a newer opsctl (${versions}); this is opsctl ${OPSCTL_VERSION} and does not know its schema changes: ${unknown.join(', ')}`,
    { hint: `Upgrade opsctl to ${versions} or later, or point OPSCTL_STATE_URL at another store.` },
  );
}
