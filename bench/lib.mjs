// Shared helpers for benchmarks: wall time of a command, medians, a ratio line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const OPSCTL = fileURLToPath(new URL('../bin/opsctl', import.meta.url));

const temps = [];
const removeTemps = () => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
};
process.on('exit', removeTemps);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

/** A temporary directory removed when the bench exits, however it exits (a throw, a failed verdict, Ctrl-C). */
export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `opsctl-bench-${prefix}-`));
  temps.push(dir);
  return dir;
}

/**
 * A demo workspace (`opsctl demo`) in a temporary directory, for benches that time commands the way an operator
 * runs them. validate's free-disk check is set to 0 % so the machine's disk cannot fail the workspace.
 */
export function demoWorkspace(prefix) {
  const home = tempDir(prefix);
  const config = join(home, 'opsctl.config.json');
  const env = { ...process.env, OPSCTL_HOME: home, OPSCTL_CONFIG: config, NO_COLOR: '1' };
  const demo = spawnSync(process.execPath, [OPSCTL, 'demo', '--json'], { env, encoding: 'utf8', maxBuffer: 1 << 26 });
  // The demo's load-test step holds latency thresholds a loaded machine can miss; every other step must pass. Each
  // step logs one JSON line on stderr ("demo: <step>", status).
  const steps = demo.stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line))
    .filter((l) => typeof l.msg === 'string' && l.msg.startsWith('demo: ') && l.status);
  const failed = steps.filter((l) => l.status === 'failed' && l.msg !== 'demo: load test');
  if (!existsSync(config) || steps.length === 0 || failed.length > 0)
    throw new Error(`opsctl demo failed (${failed.map((l) => l.msg).join(', ')}): ${demo.stderr}`);
  if (demo.status !== 0)
    console.log('(the demo workspace is built; its load-test step missed a threshold on this load)');
  const doc = JSON.parse(readFileSync(config, 'utf8'));
  doc.validate = { ...doc.validate, minFreeDiskPercent: 0 };
  writeFileSync(config, JSON.stringify(doc, null, 2));
  return { home, env };
}

/** `options.okExit`: the exit codes of a complete run (default 0; `status` exits 1 on a critical item). */
export function wallMs(cmd, args, options = {}) {
  const { okExit = [0], ...spawnOptions } = options;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...spawnOptions });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (!okExit.includes(r.status)) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Interleaves the runs of each command, so machine noise hits both alike. */
export function compare(commands, runs) {
  const times = commands.map(() => []);
  for (let i = 0; i < runs; i++) commands.forEach((c, j) => times[j].push(wallMs(c.cmd, c.args, c.options)));
  return times.map(median);
}

const recorded = [];

/** Prints a ratio against its target and records it for `finish()`. */
export function verdict(label, ratio, target, better = 'lower') {
  const ok = better === 'lower' ? ratio <= target : ratio >= target;
  recorded.push({ label, value: ratio, unit: 'x', target, better });
  console.log(
    `${label}: ${ratio.toFixed(2)}x (target ${better === 'lower' ? '≤' : '≥'} ${target}x) ${ok ? 'OK' : 'MISSED'}`,
  );
  return ok;
}

/** Records a figure without a target (an absolute time, a size) for `finish()`. */
export function figure(label, value, unit) {
  recorded.push({ label, value, unit });
}

/** Prints an absolute figure against its limit (a stall in ms, a size in MB) and records it for `finish()`. */
export function limit(label, value, unit, target, better = 'lower') {
  const ok = better === 'lower' ? value <= target : value >= target;
  recorded.push({ label, value, unit, target, better });
  console.log(
    `${label}: ${value.toFixed(1)} ${unit} (target ${better === 'lower' ? '≤' : '≥'} ${target} ${unit}) ${ok ? 'OK' : 'MISSED'}`,
  );
  return ok;
}

/** Writes what verdict() and figure() recorded through writeResult() and exits 0 when `ok`, 1 when not. */
export function finish(name, measures, ok, details = {}) {
  writeResult(name, { measures, metrics: recorded, details });
  process.exit(ok ? 0 : 1);
}

/**
 * Records a bench's figures in bench/results/<name>.json, with the machine's load while it ran: the README's
 * performance table is generated from these files (`npm run bench:table`), so it never quotes a figure no bench
 * printed. `metrics`: [{ label, value, unit ('x', 'ms', 'MB'…), target, better: 'lower'|'higher' }].
 */
export function writeResult(name, { measures, metrics, details = {} }) {
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const doc = {
    bench: name,
    measures,
    measuredAt: new Date().toISOString(),
    loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
    cpus: cpus().length,
    node: process.version,
    metrics: metrics.map((m) => ({
      ...m,
      met: m.target === undefined ? undefined : m.better === 'higher' ? m.value >= m.target : m.value <= m.target,
    })),
    details,
  };
  writeFileSync(new URL(`${name}.json`, dir), `${JSON.stringify(doc, null, 2)}\n`);
  return doc;
}
