import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildProgram } from '../src/cli.js';
import { completionScript } from '../src/cli/completion.js';
import { walkCommands } from '../src/cli/tree.js';
import { BIN, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const program = buildProgram();
const dir = tempDir();
writeFileSync(
  join(dir, 'opsctl.config.json'),
  JSON.stringify({
    targets: { app: { engine: 'pglite' }, reco: { engine: 'pglite' } },
    loadtest: { profiles: { homepage: { url: 'http://127.0.0.1:9/' } } },
  }),
);
const bashFile = join(dir, 'opsctl.bash');

function has(shell: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;
}

/** What bash offers after `words` (the last one is the word being completed), with opsctl being the built CLI. */
function bashComplete(...words: string[]): string[] {
  const script = `opsctl() { "${process.execPath}" "${BIN}" "$@"; }
source "${bashFile}"
COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _opsctl; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['-c', script, '_', ...words], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH },
  });
  assert.is(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean);
}

test('opsctl completion bash prints a script that bash loads; unknown shells exit 2', async () => {
  const r = await runCli(['completion', 'bash']);
  assert.is(r.code, 0);
  writeFileSync(bashFile, r.stdout);
  assert.is(spawnSync('bash', ['-n', bashFile]).status, 0, 'bash -n');
  const bad = await runCli(['completion', 'tcsh']);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /unknown shell 'tcsh'/);
});

test('bash: commands, subcommands, options and option choices from the tree', () => {
  assert.equal(bashComplete('opsctl', 'et'), ['etl']);
  assert.equal(bashComplete('opsctl', 'etl', ''), ['run', 'history', 'show', 'retention']);
  assert.equal(bashComplete('opsctl', 'status', '--t'), ['--timeout', '--target']);
  assert.equal(bashComplete('opsctl', '--log-level', ''), ['debug', 'info', 'warn', 'error']);
  assert.equal(bashComplete('opsctl', 'validate', '--env', ''), ['development', 'staging', 'production']);
  // A global option's value is skipped when finding the command: `-c file mig` is still the top level.
  assert.equal(bashComplete('opsctl', '-c', 'x.json', 'mig'), ['migrate']);
});

test('bash: target and profile names come from the config', () => {
  assert.equal(bashComplete('opsctl', 'migrate', 'up', ''), ['app', 'reco']);
  assert.equal(bashComplete('opsctl', 'backup', 'restore', 'app', '--to', 'r'), ['reco']);
  assert.equal(bashComplete('opsctl', 'loadtest', 'run', '--profile', ''), ['homepage']);
});

test('every visible command path is in the bash, zsh and fish scripts', () => {
  const scripts = {
    bash: completionScript(program, 'bash'),
    zsh: completionScript(program, 'zsh'),
    fish: completionScript(program, 'fish'),
  };
  for (const { path } of walkCommands(program)) {
    const key = `opsctl ${path.join(' ')}`;
    assert.ok(scripts.bash.includes(`['${key}']`), `bash: ${key}`);
    assert.ok(scripts.zsh.includes(`['${key}']`), `zsh: ${key}`);
    assert.ok(scripts.fish.includes(`case '${key}'`) || scripts.fish.includes(`__opsctl_at "${key}"`), `fish: ${key}`);
  }
  assert.not.ok(scripts.bash.includes("__complete'"), 'the hidden helper is not offered');
  // The shells that are installed check their script's syntax.
  for (const shell of ['zsh', 'fish'] as const) {
    if (!has(shell)) continue;
    const file = join(dir, `opsctl.${shell}`);
    writeFileSync(file, scripts[shell]);
    assert.is(spawnSync(shell, ['-n', file]).status, 0, `${shell} -n`);
  }
});

test.run();
