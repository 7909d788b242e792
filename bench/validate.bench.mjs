// `opsctl validate` on the demo workspace against `opsctl status` on the same workspace, both measured here (median of
// interleaved runs). status probes the same state store, warehouse and targets, so the ratio is what the gate's own
// checks (config, environment, version rules, git, …) add to the bare connectivity probe. Target ≤ 1.5×. The
// workspace's free-disk threshold is 0 %, so the machine's free disk cannot fail validate (and the bench).
import { compare, demoWorkspace, figure, finish, OPSCTL, verdict } from './lib.mjs';

const { env } = demoWorkspace('validate');
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
// validate exits 1 when a check fails; the demo workspace passes in development, so both must exit 0.
const [status, validate] = compare(
  [
    { cmd: process.execPath, args: [OPSCTL, 'status', '--json'], options: { env } },
    { cmd: process.execPath, args: [OPSCTL, 'validate', '--json', '--env', 'development'], options: { env } },
  ],
  RUNS,
);
console.log(`opsctl status --json   ${status.toFixed(1)} ms (median of ${RUNS})`);
console.log(`opsctl validate --json ${validate.toFixed(1)} ms`);
figure('status --json', status, 'ms');
figure('validate --json', validate, 'ms');
const ok = verdict('opsctl validate / opsctl status', validate / status, 1.5);
finish('validate', 'opsctl validate against opsctl status on the demo workspace, median of interleaved runs', ok);
