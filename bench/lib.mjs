// Shared helpers for benchmarks: wall time of a command, medians, a ratio line.
import { spawnSync } from 'node:child_process';

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
