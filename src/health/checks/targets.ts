import { existsSync } from 'node:fs';
import type { TargetConfig } from '../../config/schema.js';
import { inspectPgliteDirectory } from '../../db/pglite-files.js';
import { openTarget } from '../../db/target.js';
import { redactUrlPasswords } from '../../log/redact.js';
import type { HealthCheck, HealthProvider } from '../types.js';

/** Every database target (PostgreSQL, MySQL/MariaDB, PGlite): connect, read the server version, disconnect. */
export const targetHealthChecks: HealthProvider = (config) =>
  Object.entries(config.targets).map(([name, target]) => targetHealthCheck(name, target));

export function targetHealthCheck(name: string, target: TargetConfig): HealthCheck {
  return {
    id: `target:${name}`,
    name,
    label: `target ${name}`,
    group: 'target',
    kind: target.engine,
    location: target.engine === 'pglite' ? (target.path ?? '') : redactUrlPasswords(target.url),
    hint: `Check targets.${name} and that the server is running.`,
    absent: () =>
      target.engine === 'pglite' && target.path && !existsSync(target.path)
        ? { hint: 'Created on first use (opsctl demo, opsctl migrate up).' }
        : undefined,
    async probe(_env, { timeoutMs, signal, deep }) {
      if (target.engine === 'pglite' && target.path && !deep) {
        // Booting PostgreSQL in WASM costs ~1 s idle and ~300 MB (several seconds under load) and holds the directory
        // meanwhile, so the console and `status` check it from its files; `status --deep` opens it.
        const facts = inspectPgliteDirectory(name, target.path);
        return {
          version: `PGlite (PostgreSQL ${facts.major}, on disk)`,
          details: {
            checkedOn: 'disk',
            checked: 'PG_VERSION, global/pg_control CRC, no postmaster.pid, lock free; opsctl status --deep opens it',
            clusterState: facts.state,
            catalogVersion: facts.catalogVersion,
          },
        };
      }
      const db = await openTarget(name, target, {
        waitMs: 0,
        connectTimeoutMs: timeoutMs,
        ...(signal ? { signal } : {}),
      });
      try {
        return { version: await db.serverVersion() };
      } finally {
        await db.close();
      }
    },
  };
}
