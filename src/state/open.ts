import { migrateState } from './migrate.js';
import { STATE_MIGRATIONS } from './schema/index.js';
import { tracing, withSqlTrace } from '../log/trace.js';
import type { SqlRunner, StateStore, TransactionOptions } from './store.js';

/** Opens the store named by a URL (`sqlite:<file>` or `postgres://…`) and migrates its schema forward. */
export async function openStateStore(
  url: string,
  options: { migrations?: typeof STATE_MIGRATIONS } = {},
): Promise<StateStore> {
  const opened = url.startsWith('sqlite:')
    ? (await import('./sqlite-store.js')).openSqliteStore(url.slice('sqlite:'.length))
    : await (await import('./postgres-store.js')).openPostgresStore(url);
  const store = traced(opened);
  try {
    await migrateState(store, options.migrations ?? STATE_MIGRATIONS);
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}

/** --log-level debug: each statement of the store, in a transaction too, with its duration (src/log/trace.ts). */
function traced(store: StateStore): StateStore {
  if (!tracing()) return store;
  const where = { engine: store.kind, db: 'state', dialect: 'postgres' as const };
  const sql = ['query', 'run', 'execScript'] as const;
  const proxy = withSqlTrace(store, where, sql);
  return new Proxy(proxy, {
    get(obj, prop) {
      if (prop !== 'transaction') return Reflect.get(obj, prop) as unknown;
      return <T>(fn: (tx: SqlRunner) => Promise<T>, options?: TransactionOptions) =>
        store.transaction((tx) => fn(withSqlTrace(tx, where, sql)), options);
    },
  });
}
