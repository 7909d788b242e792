import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ValidateResult } from '../commands/validate/index.js';
import { startSampleServer } from '../src/loadtest/sample-server.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

function workspace(profiles: Record<string, unknown>) {
  const dir = tempDir('opsctl-lt-validate-');
  writeFileSync(join(dir, 'opsctl.config.json'), JSON.stringify({ home: './home', loadtest: { profiles } }));
  return dir;
}

const check = (r: ValidateResult, name: string) => {
  const c = r.checks.find((x) => x.group === 'loadtests' && x.name === name);
  if (!c) throw new Error(`no check ${name} in ${JSON.stringify(r.checks.map((x) => x.name))}`);
  return c;
};

test('validate loadtests: a gated profile whose last run breached fails, one that passed passes, one that never ran warns', async () => {
  const server = await startSampleServer({ delayMs: 2 });
  try {
    const common = { url: server.url, requests: 20, connections: 2, warmup: '0s', gate: true };
    const dir = workspace({
      fast: { ...common, thresholds: ['p95<5s', 'non2xx=0'] },
      slow: { ...common, thresholds: ['p95<0.001ms'] },
      never: { ...common, thresholds: ['p95<5s'] },
      free: { url: server.url, thresholds: ['p95<0.001ms'] },
    });
    assert.is((await runCli(['loadtest', 'run', '-p', 'fast', '-q'], { cwd: dir })).code, 0);
    assert.is((await runCli(['loadtest', 'run', '-p', 'slow', '-q'], { cwd: dir })).code, 1);

    const r = await runCli(['validate', '--only', 'loadtests', '--json'], { cwd: dir });
    assert.is(r.code, 1, r.stderr);
    const result = JSON.parse(r.stdout) as ValidateResult;
    assert.is(check(result, 'profile fast').status, 'pass');
    assert.match(check(result, 'profile fast').reason, /^last run 1 passed p95<5s, non2xx=0: /);
    assert.is(check(result, 'profile slow').status, 'fail');
    assert.match(
      check(result, 'profile slow').reason,
      /^last run 2 \(.+\) breached p95<0\.001ms \(p95 = .+ ms, not under 0(\.00)? ms\)$/,
    );
    assert.match(check(result, 'profile slow').hint ?? '', /opsctl loadtest compare 2/);
    assert.is(check(result, 'profile never').status, 'warn');
    assert.match(check(result, 'profile never').hint ?? '', /opsctl loadtest run --profile never/);
    assert.not.ok(
      result.checks.some((c) => c.name === 'profile free'),
      'a profile without gate is not checked',
    );

    // A later run that passes clears the gate.
    assert.is((await runCli(['loadtest', 'run', '-p', 'slow', '--threshold', 'p95<5s', '-q'], { cwd: dir })).code, 0);
    const again = JSON.parse(
      (await runCli(['validate', '--only', 'loadtests', '--json'], { cwd: dir })).stdout,
    ) as ValidateResult;
    assert.is(check(again, 'profile slow').status, 'pass');
  } finally {
    await server.close();
  }
});

test('validate loadtests: nothing gated is a pass', async () => {
  const dir = workspace({ api: { url: 'http://127.0.0.1:9/' } });
  const r = await runCli(['validate', '--only', 'loadtests', '--json'], { cwd: dir });
  assert.is(r.code, 0, r.stderr);
  assert.match(
    check(JSON.parse(r.stdout) as ValidateResult, 'gated profiles').reason,
    /no load-test profile is marked gate: true/,
  );
});

test.run();
