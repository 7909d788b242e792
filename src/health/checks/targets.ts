import { existsSync } from 'node:fs';
import type { TargetConfig } from '../../config/schema.js';
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
    async probe(_env, { timeoutMs, signal }) {
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
