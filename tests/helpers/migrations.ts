import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRuntime, type Runtime } from '../../commands/runtime.js';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log/logger.js';
import { Redactor } from '../../src/log/redact.js';
import { tempDir } from './tmp.js';

/** A workspace folder with opsctl.config.json naming the targets, and a migrations folder per target. */
export function migrationWorkspace(
  targets: Record<string, Record<string, unknown>>,
  extra: Record<string, unknown> = {},
) {
  const dir = tempDir('opsctl-migrate-');
  const config = { targets, migrations: { dir: 'migrations', lockTimeout: '10s' }, home: '.opsctl', ...extra };
  writeFileSync(join(dir, 'opsctl.config.json'), JSON.stringify(config, null, 2));
  const write = (target: string, file: string, text: string) => {
    mkdirSync(join(dir, 'migrations', target), { recursive: true });
    writeFileSync(join(dir, 'migrations', target, file), text);
    return join(dir, 'migrations', target, file);
  };
  const runtime = (): Runtime => {
    const loaded = loadConfig({
      cwd: dir,
      env: {},
      configPath: join(dir, 'opsctl.config.json'),
      redactor: new Redactor(),
    });
    return createRuntime({ loaded, log: silentLogger, trigger: 'cli' });
  };
  return { dir, write, runtime };
}

export const pool = { max: 2, idleTimeoutMs: 1000, connectTimeoutMs: 3000 };

/** Awaits a promise that must reject; checks the error's class or message. */
export async function rejects(
  promise: Promise<unknown>,
  expected: RegExp | (new (...args: never[]) => Error),
  msg?: string,
): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (expected instanceof RegExp) {
      if (!expected.test((error as Error).message))
        throw new Error(`${msg ?? 'rejection'}: "${(error as Error).message}" does not match ${expected}`);
    } else if (!(error instanceof expected))
      throw new Error(
        `${msg ?? 'rejection'}: ${(error as Error).name} is not a ${expected.name}: ${(error as Error).message}`,
      );
    return error as Error;
  }
  throw new Error(`${msg ?? 'expected a rejection'}: the promise resolved`);
}
