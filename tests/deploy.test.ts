import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildProgram } from '../src/cli.js';
import { findCommand, isLeaf } from '../src/cli/tree.js';
import { BIN, ROOT } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const unit = readFileSync(join(ROOT, 'deploy', 'opsctl-bot.service'), 'utf8');
const cron = readFileSync(join(ROOT, 'deploy', 'opsctl.cron'), 'utf8');
const program = buildProgram();

function setting(key: string): string[] {
  return [...unit.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!);
}

test('the systemd unit runs the installed binary with an env file, a state directory and hardening', () => {
  const [execStart] = setting('ExecStart');
  assert.ok(execStart, 'ExecStart');
  assert.match(execStart, /^\/usr\/local\/bin\/opsctl .*bot start$/);
  assert.not.match(unit, /^[^#]*npx/m, 'no npx outside comments');
  assert.equal(setting('EnvironmentFile'), ['/etc/opsctl/opsctl.env']);
  assert.equal(setting('StateDirectory'), ['opsctl']);
  assert.equal(setting('NoNewPrivileges'), ['yes']);
  assert.equal(setting('ProtectSystem'), ['strict']);
  assert.equal(setting('ReadWritePaths'), ['/var/lib/opsctl']);
  assert.equal(setting('RestartPreventExitStatus'), ['2']);
});

test('systemd-analyze verify accepts the unit, without a warning (when systemd-analyze is installed)', () => {
  if (spawnSync('sh', ['-c', 'command -v systemd-analyze']).status !== 0) return;
  const dir = tempDir();
  // verify checks that ExecStart's binary exists: point it at this checkout's launcher.
  const file = join(dir, 'opsctl-bot.service');
  writeFileSync(file, unit.replaceAll('/usr/local/bin/opsctl', BIN));
  const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr.trim(), '', 'no warnings (an unknown key or a bad value is only a warning)');
  // The check can fail: a misspelt setting is reported.
  writeFileSync(file, unit.replaceAll('/usr/local/bin/opsctl', BIN).replace('NoNewPrivileges=', 'NoNewPrivilege='));
  assert.match(spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' }).stderr, /Unknown key/);
});

const GLOBALS_WITH_VALUE = new Set(['-c', '--config', '--env-file', '--log-level']);

test('every opsctl command in the cron example exists, with the options it uses', () => {
  const jobs = cron.split('\n').filter((l) => /^[0-9*]/.test(l));
  assert.ok(jobs.length >= 3, 'cron jobs');
  let commands = 0;
  for (const job of jobs) {
    for (const [, rest] of job.matchAll(/\/usr\/local\/bin\/opsctl ([^&)>]*)/g)) {
      const words = rest!.trim().split(/\s+/);
      let command: Command = program;
      const flags: string[] = [];
      while (words.length) {
        const w = words.shift()!;
        if (GLOBALS_WITH_VALUE.has(w)) words.shift();
        else if (w.startsWith('-')) flags.push(w);
        else command = findCommand(command, w) ?? command;
      }
      assert.ok(isLeaf(command) && command !== program, `${rest} runs a command`);
      for (const flag of flags) {
        const known = [command, program].some((c) => c.options.some((o) => o.long === flag || o.short === flag));
        assert.ok(known, `${rest}: ${flag}`);
      }
      commands += 1;
    }
  }
  assert.ok(commands >= 4, `${commands} commands`);
  assert.not.match(cron, /^[^#]*npx/m);
});

test.run();
