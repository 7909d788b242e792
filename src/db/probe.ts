import { existsSync } from 'node:fs';
import type { TargetConfig } from '../config/schema.js';
import { isOpsError } from '../errors.js';
import { redactUrlPasswords } from '../log/redact.js';
import type { ComponentHealth } from '../util/health.js';
import { withTimeout } from '../util/timeout.js';
import { openTarget } from './target.js';

/** Connects, reads the server version, disconnects. Never throws: the result says what went wrong. */
export async function probeTarget(name: string, config: TargetConfig, options: { timeoutMs?: number } = {}): Promise<ComponentHealth> {
  const location = config.engine === 'pglite' ? (config.path ?? '') : redactUrlPasswords(config.url);
  const base = { name, kind: config.engine, location };
  if (config.engine === 'pglite' && config.path && !existsSync(config.path)) {
    return { ...base, status: 'absent', hint: 'Created on first use (opsctl demo, opsctl migrate up).' };
  }
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? 5_000;
  try {
    const version = await withTimeout(timeoutMs, `target ${name}`, async () => {
      const target = await openTarget(name, config, { waitMs: 0, connectTimeoutMs: timeoutMs });
      try {
        return await target.serverVersion();
      } finally {
        await target.close();
      }
    });
    return { ...base, status: 'up', version, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    const message = (error as Error).message;
    const busy = config.engine === 'pglite' && /in use by pid/.test(message);
    return {
      ...base,
      status: busy ? 'busy' : 'down',
      error: message,
      ...(isOpsError(error) && error.hint ? { hint: error.hint } : {}),
    };
  }
}
