// `opsctl validate` on the demo workspace against `opsctl status` on the same workspace, both measured here (median of
// interleaved runs). status probes the same state store, warehouse and targets, so the ratio is what the gate's own
// checks (config, environment, version rules, git, …) add to the bare connectivity probe. Target ≤ 1.5×.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compare, verdict } from './lib.mjs';

const bin = fileURLToPath(new URL('../bin/opsctl', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'opsctl-bench-validate-'));
const env = { ...process.env, OPSCTL_HOME: home, OPSCTL_CONFIG: join(home, 'opsctl.config.json') };
const demo = spawnSync(process.execPath, [bin, 'demo', '--json'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
if (demo.status !== 0) throw new Error(`opsctl demo failed: ${demo.stderr}`);
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
// validate exits 1 when a check fails; the demo workspace passes in development, so both must exit 0.
const [status, validate] = compare(
  [
    { cmd: process.execPath, args: [bin, 'status', '--json'], options: { env } },
    { cmd: process.execPath, args: [bin, 'validate', '--json', '--env', 'development'], options: { env } },
  ],
  RUNS,
);
rmSync(home, { recursive: true, force: true });
console.log(`opsctl status --json   ${status.toFixed(1)} ms (median of ${RUNS})`);
console.log(`opsctl validate --json ${validate.toFixed(1)} ms`);
process.exit(verdict('opsctl validate / opsctl status', validate / status, 1.5) ? 0 : 1);
