import { migrateState } from './migrate.js';
import { STATE_MIGRATIONS } from './schema/index.js';
import type { StateStore } from './store.js';

/** Opens the store named by a URL (`sqlite:<file>` or `postgres://…`) and migrates its schema forward. */
export async function openStateStore(
  url: string,
  options: { migrations?: typeof STATE_MIGRATIONS } = {},
): Promise<StateStore> {
  const store = url.startsWith('sqlite:')
    ? (await import('./sqlite-store.js')).openSqliteStore(url.slice('sqlite:'.length))
    : await (await import('./postgres-store.js')).openPostgresStore(url);
  try {
    await migrateState(store, options.migrations ?? STATE_MIGRATIONS);
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}
