// `opsctl --version` wall time against `node -e 0`, both measured here, median of interleaved runs (target ≤ 1.5×).
// Also prints `opsctl --help` and `opsctl config show --json`, which load commander and the config code.
import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compare, verdict } from './lib.mjs';

const bin = fileURLToPath(new URL('../bin/opsctl', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'opsctl-bench-'));
const options = { env: { ...process.env, OPSCTL_HOME: home } };
const RUNS = Number(process.env.BENCH_RUNS ?? 21);

const [node, version, help, config] = compare(
  [
    { cmd: process.execPath, args: ['-e', '0'] },
    { cmd: process.execPath, args: [bin, '--version'] },
    { cmd: process.execPath, args: [bin, '--help'], options },
    { cmd: process.execPath, args: [bin, 'config', 'show', '--json'], options },
  ],
  RUNS,
);
console.log(`node -e 0                 ${node.toFixed(1)} ms (median of ${RUNS})`);
console.log(`opsctl --version          ${version.toFixed(1)} ms`);
console.log(`opsctl --help             ${help.toFixed(1)} ms (${(help / node).toFixed(2)}x)`);
console.log(`opsctl config show --json ${config.toFixed(1)} ms (${(config / node).toFixed(2)}x)`);
const ok = verdict('opsctl --version / node -e 0', version / node, 1.5);
process.exit(ok ? 0 : 1);
