#!/usr/bin/env node
// Runs the static checks (type check of tests, lint, dependency rules, format), then the uvu suites with TypeScript
// (tsx as an import hook: `uvu -r tsx` breaks on files that import ink), and ends with one line "N passed, N failed",
// which CI reads. Each static check counts as one test, so a lint failure fails CI like a failing test does. A run with
// no tests, or a crashed run, fails. Given a file pattern (a focused run while developing) the static checks are
// skipped unless TEST_CHECKS=1; TEST_CHECKS=0 skips them always.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const pattern = process.argv[2] ?? process.env.TEST_PATTERN ?? '\\.test\\.tsx?$';
const timeoutMs = Number(process.env.TEST_TIMEOUT_MS ?? 75 * 60_000);
const runChecks = process.env.TEST_CHECKS ? process.env.TEST_CHECKS === '1' : process.argv[2] === undefined;

// The same steps as `npm run check`, run one by one so the summary can say which failed.
const CHECKS = ['typecheck:tests', 'lint', 'deps:check', 'format:check'];
let checksPassed = 0;
let checksFailed = 0;
if (runChecks) {
  for (const name of CHECKS) {
    const started = Date.now();
    const res = spawnSync('npm', ['run', '--silent', name], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (res.status === 0) {
      checksPassed += 1;
      process.stdout.write(`check ${name}: ok (${seconds} s)\n`);
    } else {
      checksFailed += 1;
      process.stdout.write(`check ${name}: FAILED (${seconds} s; run \`npm run ${name}\` to see it alone)\n`);
      process.stdout.write(`${res.stdout ?? ''}${res.stderr ?? ''}\n`);
    }
  }
}

const child = spawn(process.execPath, ['--import', 'tsx', 'node_modules/uvu/bin.js', 'tests', pattern, '--no-color'], {
  cwd: root,
  // tsx compiles with tsconfig.test.json (which includes tests/): the automatic JSX runtime in tests as in views/.
  env: { ...process.env, FORCE_COLOR: '0', NODE_ENV: 'test', TSX_TSCONFIG_PATH: 'tsconfig.test.json' },
  stdio: ['ignore', 'pipe', 'pipe'],
});

let out = '';
child.stdout.on('data', (chunk) => {
  out += chunk;
  process.stdout.write(chunk);
});
child.stderr.on('data', (chunk) => {
  out += chunk;
  process.stderr.write(chunk);
});

const timer = setTimeout(() => {
  process.stderr.write(`\ntest run exceeded ${timeoutMs} ms; killing it\n`);
  child.kill('SIGKILL');
}, timeoutMs);

child.on('close', (code, signal) => {
  clearTimeout(timer);
  const plain = stripVTControlCharacters(out);
  const num = (label) => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(plain)?.[1] ?? NaN);
  const total = num('Total');
  const passed = num('Passed');
  const skipped = num('Skipped') || 0;
  if (Number.isNaN(total) || Number.isNaN(passed)) {
    process.stdout.write(`\ntest runner crashed (exit ${code ?? signal}) before reporting\n0 passed, 1 failed\n`);
    process.exit(1);
  }
  const failed =
    Math.max(0, total - passed - skipped) + (code !== 0 && total === passed + skipped ? 1 : 0) + checksFailed;
  if (total === 0) {
    process.stdout.write('\nno tests ran: that is a failure\n0 passed, 1 failed\n');
    process.exit(1);
  }
  process.stdout.write(`\n${passed + checksPassed} passed, ${failed} failed\n`);
  process.exit(failed > 0 ? 1 : 0);
});
