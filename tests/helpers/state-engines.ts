import { join } from 'node:path';
import { createPgDatabase, type TempDatabase } from './databases.js';
import { tempDir } from './tmp.js';

export interface StateEngine {
  name: 'sqlite' | 'postgres';
  /** A fresh, empty state store: a new SQLite file, or a new schema in the suite's PostgreSQL database. */
  url(): Promise<string>;
  /** Drops what the suite created. */
  cleanup(): Promise<void>;
}

/** The two engines a state-store suite runs on, so every contract holds for the embedded default and for production. */
export function stateEngines(prefix: string): StateEngine[] {
  let db: TempDatabase | undefined;
  return [
    { name: 'sqlite', url: async () => `sqlite:${join(tempDir(), 'state.db')}`, cleanup: async () => undefined },
    {
      name: 'postgres',
      url: async () => {
        db ??= await createPgDatabase(prefix);
        return `${db.url}?schema=s_${Math.random().toString(36).slice(2, 8)}`;
      },
      cleanup: async () => {
        await db?.drop();
        db = undefined;
      },
    },
  ];
}
