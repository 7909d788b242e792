import { existsSync } from 'node:fs';
import type { TargetConfig } from '../../config/schema.js';
import type { HealthConfig } from '../../config/sections/health.js';
import { inspectPgliteDirectory } from '../../db/pglite-files.js';
import { isPgliteKeptOpen } from '../../db/pglite.js';
import { openTarget } from '../../db/target.js';
import { readConnections, type Connections } from '../../db/vitals.js';
import { errorMessage } from '../../errors.js';
import { count, percent } from '../../format.js';
import { redactUrlPasswords } from '../../log/redact.js';
import type { Crossing } from '../services/probe.js';
import type { ComponentHealth, HealthCheck, HealthProvider } from '../types.js';

/**
 * Every database target (PostgreSQL, MySQL/MariaDB, PGlite): connect, read the server version and the connections in
 * use against max_connections (judged against `health.connections`), disconnect.
 */
export const targetHealthChecks: HealthProvider = (config) =>
  Object.entries(config.targets).map(([name, target]) => targetHealthCheck(name, target, config.health.connections));

/** The connection limits a target is judged against (`health.connections`). */
export type ConnectionLimits = HealthConfig['connections'];

/** A target past `health.connections` (percent of max_connections, or the absolute count). */
export function connectionCrossing(c: Connections, limits: ConnectionLimits): Crossing | undefined {
  if (limits.max !== null && c.inUse > limits.max)
    return {
      key: 'connections',
      value: c.inUse,
      limit: limits.max,
      text: `connections ${count(c.inUse)} of ${count(c.max)} in use > ${count(limits.max)}`,
    };
  if (c.max > 0 && c.percent > limits.percent)
    return {
      key: 'connections',
      value: c.percent,
      limit: limits.percent,
      text: `connections ${count(c.inUse)} of ${count(c.max)} in use (${percent(c.percent)}) > ${percent(limits.percent)}`,
    };
  return undefined;
}

export function targetHealthCheck(name: string, target: TargetConfig, limits?: ConnectionLimits): HealthCheck {
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
      // A directory this process keeps open (the console's engine) is asked directly: no boot, and its lock is ours.
      if (target.engine === 'pglite' && target.path && !deep && !isPgliteKeptOpen(target.path)) {
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
        const version = await db.serverVersion();
        // An embedded PGlite is one connection inside this process: nothing to count.
        if (target.engine === 'pglite') return { version };
        try {
          const connections = await readConnections(db);
          const crossed = limits ? connectionCrossing(connections, limits) : undefined;
          return { version, details: { connections, crossed: crossed ? [crossed] : [] } };
        } catch (error) {
          // A user without the right to count sessions still has a reachable target.
          return { version, details: { connectionsError: errorMessage(error) } };
        }
      } finally {
        await db.close();
      }
    },
  };
}

/** What a target's probe counted (undefined for other components, PGlite, or when it could not count). */
export function targetConnections(component: ComponentHealth): Connections | undefined {
  if (component.group !== 'target') return undefined;
  return component.details?.connections as Connections | undefined;
}

/** The thresholds a target crossed (its connection limit). */
export function targetCrossings(component: ComponentHealth): Crossing[] {
  if (component.group !== 'target') return [];
  return (component.details?.crossed as Crossing[] | undefined) ?? [];
}
