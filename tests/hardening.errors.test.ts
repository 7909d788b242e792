import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, OperationFailed } from '../src/errors.js';
import { fromOsError, type OsError } from '../src/util/os-errors.js';
import { BIN, cliHome, type CliResult, runCli, runProcess, stderrText } from './helpers/cli.js';
import { createPgDatabase, type TempDatabase } from './helpers/databases.js';
import { tempDir } from './helpers/tmp.js';

let db: TempDatabase;
test.before(async () => {
  db = await createPgDatabase('opsctl_hard_err');
});
test.after(async () => {
  await db.drop().catch(() => undefined);
});

const notABug = (r: CliResult) => {
  assert.not.match(r.stderr, /bug in opsctl/i);
  assert.not.match(r.stderr, /INTERNAL/);
};

/** bin/opsctl started the way an operator starts it: through its #! line, not as `node bin/opsctl`. */
const runBin = (args: string[], cwd: string) =>
  runProcess(BIN, args, { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd, NO_COLOR: '1' } });

test('OS errors become errors naming the key and what to do; config exit 2, a full disk exit 1', () => {
  const err = (code: string, path = '/x/y') => Object.assign(new Error(`${code}: boom`), { code, path }) as OsError;
  for (const code of ['EISDIR', 'ENOTDIR', 'EACCES', 'EROFS', 'ENOENT']) {
    const e = fromOsError(err(code), { key: 'backups.dir', config: true });
    assert.instance(e, ConfigError, code);
    assert.is(e.exitCode, 2);
    assert.match(e.message, '/x/y');
    assert.match(e.message, 'backups.dir');
    assert.match(e.hint ?? '', /backups\.dir|access/);
  }
  const full = fromOsError(err('ENOSPC'), { key: 'backups.dir', config: true });
  assert.instance(full, OperationFailed);
  assert.is(full.exitCode, 1);
  assert.match(full.message, 'no space left');
});

test('--config naming a directory: exit 2 with the path and --config, not "a bug in opsctl"', async () => {
  const dir = tempDir('opsctl-hard-err-');
  const r = await runCli(['--config', dir, 'status'], { cwd: dir, env: { OPSCTL_HOME: join(dir, 'home') } });
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, `${dir} is a directory, not a file`);
  assert.match(r.stderr, '--config');
  notABug(r);
});

test('backups.dir pointing at a file: exit 2 naming backups.dir', async () => {
  const dir = tempDir('opsctl-hard-err-');
  writeFileSync(join(dir, 'not-a-dir'), 'x');
  writeFileSync(
    join(dir, 'opsctl.config.json'),
    JSON.stringify({
      home: join(dir, 'home'),
      backups: { dir: join(dir, 'not-a-dir') },
      targets: { app: { engine: 'postgres', url: db.url } },
    }),
  );
  const r = await runCli(['backup', 'create', 'app'], { cwd: dir });
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, 'backups.dir');
  assert.match(r.stderr, 'not a directory');
  notABug(r);
});

test("--env-file /missing: opsctl's own error and exit 2, not Node's exit 9", async () => {
  const dir = tempDir('opsctl-hard-err-');
  mkdirSync(join(dir, 'home'));
  const r = await runBin(['--env-file', join(dir, 'missing.env'), 'config', 'check'], dir);
  assert.is(r.code, 2, r.stderr);
  assert.match(stderrText(r.stderr), /^error: env file not found: /m);
  assert.match(r.stderr, '--env-file');
  assert.not.match(r.stderr, /^node:/m);
});

test('a bad option value names the flag as typed and echoes the value', async () => {
  const dir = tempDir('opsctl-hard-err-');
  const r = await runCli(['etl', 'retention', '--older-than', 'garbage'], {
    cwd: dir,
    env: cliHome(join(dir, 'home')),
  });
  assert.is(r.code, 2, r.stderr);
  assert.match(stderrText(r.stderr), '--older-than "garbage"');
  assert.not.match(r.stderr, 'olderThan');
});

test.run();
