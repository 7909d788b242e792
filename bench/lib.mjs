// Shared helpers for benchmarks: wall time of a command, medians, a ratio line.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

export function wallMs(cmd, args, options = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...options });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
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

export function verdict(label, ratio, target, better = 'lower') {
  const ok = better === 'lower' ? ratio <= target : ratio >= target;
  console.log(
    `${label}: ${ratio.toFixed(2)}x (target ${better === 'lower' ? '≤' : '≥'} ${target}x) ${ok ? 'OK' : 'MISSED'}`,
  );
  return ok;
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
