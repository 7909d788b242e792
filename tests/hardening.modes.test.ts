import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tightenTree } from '../src/util/private-files.js';
import { BIN, runProcess, type CliResult } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

/** Runs the CLI under `umask 022` (a common default), the way an operator's shell would. */
function runUnderUmask(args: string[], cwd: string, env: Record<string, string>): Promise<CliResult> {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return runProcess('/bin/sh', ['-c', `umask 022; exec ${quoted}`], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: cwd, NO_COLOR: '1', ...env },
  });
}

/** Every path under `dir` whose mode lets group or others in. */
function openToOthers(dir: string): string[] {
  const out: string[] = [];
  const walk = (path: string) => {
    const stat = statSync(path);
    if ((stat.mode & 0o077) !== 0) out.push(`${path} ${(stat.mode & 0o777).toString(8)}`);
    if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(dir);
  return out;
}

test('under umask 022, OPSCTL_HOME and everything opsctl creates in it (state.db, PGlite data) is 0700/0600', async () => {
  const dir = tempDir('opsctl-hard-modes-');
  const home = join(dir, 'home');
  writeFileSync(
    join(dir, 'opsctl.config.json'),
    JSON.stringify({ home, targets: { local: { engine: 'pglite' } } }, null, 2),
  );
  mkdirSync(join(dir, 'migrations', 'local'), { recursive: true });
  writeFileSync(
    join(dir, 'migrations', 'local', '20260101000000_init.sql'),
    '-- migrate:up\nCREATE TABLE t (id int);\n-- migrate:down\nDROP TABLE t;\n',
  );
  // migrate up creates and writes the PGlite data directory and the state store.
  const r = await runUnderUmask(['migrate', 'up', 'local'], dir, {});
  assert.is(r.code, 0, r.stderr);
  await runUnderUmask(['status'], dir, {}); // opens the state store (state.db)
  const names = readdirSync(home);
  assert.ok(names.includes('state.db'), names.join(', '));
  assert.ok(names.includes('pglite'), names.join(', '));
  assert.equal(openToOthers(home), []);
});

test('a home left open by an older opsctl is tightened once: dirs 0700, files 0600, an executable stays executable', () => {
  const home = tempDir('opsctl-hard-modes-');
  mkdirSync(join(home, 'pglite', 'app'), { recursive: true });
  writeFileSync(join(home, 'state.db'), 'x');
  writeFileSync(join(home, 'pglite', 'app', 'PG_VERSION'), '17');
  writeFileSync(join(home, 'hook.sh'), '#!/bin/sh');
  chmodSync(home, 0o755);
  chmodSync(join(home, 'pglite'), 0o777);
  chmodSync(join(home, 'state.db'), 0o644);
  chmodSync(join(home, 'pglite', 'app', 'PG_VERSION'), 0o666);
  chmodSync(join(home, 'hook.sh'), 0o755);
  assert.ok(tightenTree(home) >= 4);
  assert.equal(openToOthers(home), []);
  assert.is((statSync(join(home, 'hook.sh')).mode & 0o777).toString(8), '700');
  assert.is(tightenTree(home), 0, 'a private home costs one stat and changes nothing');
});

test('validate warns when the config file holding a literal secret is readable by group or others', async () => {
  const dir = tempDir('opsctl-hard-modes-');
  const file = join(dir, 'opsctl.config.json');
  writeFileSync(file, JSON.stringify({ home: join(dir, 'home'), bot: { token: '123456:literal-bot-token' } }));
  const check = async () => {
    const r = await runUnderUmask(['validate', '--only', 'config', '--json'], dir, {});
    const result = JSON.parse(r.stdout) as { checks: Array<{ name: string; status: string; reason: string }> };
    return result.checks.find((c) => c.name === 'file mode');
  };
  chmodSync(file, 0o644);
  const open = await check();
  assert.is(open?.status, 'warn');
  assert.match(open?.reason ?? '', 'readable by everyone');
  assert.not.match(JSON.stringify(open), 'literal-bot-token');
  chmodSync(file, 0o600);
  assert.is((await check())?.status, 'pass');
});

test.run();
