// `opsctl loadtest run` against bare `autocannon`, the same local server (bench target in its own process), the same
// connections and duration, no warm-up for either, interleaved rounds: requests per second of each (completed requests
// ÷ measured time) and the median over the rounds. The ratio is the median of the per-round ratios: the two runs of a
// round are back to back, so the drift of a shared 2-core machine (±15 % between consecutive runs of the same tool here)
// cancels within a round where a ratio of two medians would carry it. One unrecorded round of both comes first, so the
// target's JIT is as warm for the first recorded run as for the last. Target: opsctl ≥ 0.95× autocannon. `wrk` is printed too
// when it is installed (Debian package wrk). Both load generators run as the real CLIs, in their own processes.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { finish, median, tempDir, verdict } from './lib.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin/opsctl');
const autocannonBin = join(root, 'node_modules/autocannon/autocannon.js');
const home = tempDir('loadtest');
// opsctl runs only where a config is found (only `opsctl demo` creates a workspace): an empty one, the embedded engines.
writeFileSync(join(home, 'opsctl.config.json'), '{}\n');

// The target: opsctl's sample endpoint (a small JSON body, no delay) in a process of its own.
const server = spawn(
  process.execPath,
  [
    '--input-type=module',
    '-e',
    `const { startSampleServer } = await import(${JSON.stringify(new URL('../dist/src/loadtest/sample-server.js', import.meta.url).href)}); const s = await startSampleServer(); process.stdout.write(s.url + '\\n');`,
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const url = await new Promise((resolve) => server.stdout.once('data', (d) => resolve(String(d).trim())));

function run(cmd, args) {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, OPSCTL_HOME: home, NO_COLOR: '1' },
    cwd: home,
  });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

const opsctl = () => {
  const r = JSON.parse(
    run(process.execPath, [
      bin,
      'loadtest',
      'run',
      url,
      '-c',
      String(CONNECTIONS),
      '-d',
      `${SECONDS}s`,
      '-w',
      '0s',
      '--json',
      '-q',
    ]),
  );
  return (r.requests / r.durationMs) * 1000;
};
const autocannon = () => {
  const r = JSON.parse(
    run(process.execPath, [autocannonBin, '-c', String(CONNECTIONS), '-d', String(SECONDS), '--json', url]),
  );
  return r.requests.total / r.duration;
};
const hasWrk = spawnSync('wrk', ['--version'], { encoding: 'utf8' }).error === undefined;
const wrk = () => {
  const out = run('wrk', ['-t', '1', '-c', String(CONNECTIONS), '-d', `${SECONDS}s`, url]);
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
};

const results = { opsctl: [], autocannon: [], wrk: [] };
try {
  opsctl();
  autocannon();
  for (let i = 0; i < ROUNDS; i++) {
    // Alternate the order so neither always runs on a warmer server.
    const order = i % 2 ? ['autocannon', 'opsctl'] : ['opsctl', 'autocannon'];
    for (const name of order) results[name].push(name === 'opsctl' ? opsctl() : autocannon());
    if (hasWrk) results.wrk.push(wrk());
  }
} finally {
  server.kill();
}

const fmt = (v) => `${Math.round(v)} req/s`;
console.log(`target ${url}, ${CONNECTIONS} connections, ${SECONDS}s per run, ${ROUNDS} rounds (median)`);
console.log(`opsctl loadtest run: ${fmt(median(results.opsctl))}  (${results.opsctl.map(fmt).join(', ')})`);
console.log(`autocannon:          ${fmt(median(results.autocannon))}  (${results.autocannon.map(fmt).join(', ')})`);
if (hasWrk) console.log(`wrk -t1:             ${fmt(median(results.wrk))}  (${results.wrk.map(fmt).join(', ')})`);
else console.log('wrk: not installed (apt-get install wrk to print it too)');
const ratios = results.opsctl.map((v, i) => v / results.autocannon[i]);
console.log(`per-round ratios: ${ratios.map((r) => r.toFixed(2)).join(', ')}`);
const ok = verdict('opsctl / autocannon requests per second (median of the rounds)', median(ratios), 0.95, 'higher');
if (hasWrk)
  console.log(`opsctl / wrk: ${(median(results.opsctl) / median(results.wrk)).toFixed(2)}x (for information)`);
finish(
  'loadtest',
  'opsctl loadtest run against bare autocannon, same connections, duration and server, interleaved rounds',
  ok,
);
