// Startup of real commands on a demo workspace, each against a reference measured in the same run (median of
// interleaved runs): `opsctl --version` (answered by bin/opsctl before importing anything) and `--help` against
// `node -e 0`; `status --json` (state store, warehouse, the PGlite target checked on disk, bot) against
// `etl history --json` (one state-store read), target ≤ 3×; `migrate status` (opens the PGlite target and hashes
// the migration files) reported against the same. BENCH_SYNC_RUNS (default 3) no-op `sync run`s on the demo
// workspace (the lookback window is read again, nothing new to load) against `etl history --json`, target ≤ 3×.
import { compare, demoWorkspace, figure, finish, OPSCTL, verdict } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 11);
const SYNC_RUNS = Number(process.env.BENCH_SYNC_RUNS ?? 3);
const { env } = demoWorkspace('startup');
const options = { env };
const node = process.execPath;

const [bare, version, help, history, status, migrate] = compare(
  [
    { cmd: node, args: ['-e', '0'] },
    { cmd: node, args: [OPSCTL, '--version'] },
    { cmd: node, args: [OPSCTL, '--help'], options },
    { cmd: node, args: [OPSCTL, 'etl', 'history', '--json'], options },
    // Exit 1 is a complete run with a critical item (on a loaded machine the demo's gated load test can breach).
    { cmd: node, args: [OPSCTL, 'status', '--json'], options: { ...options, okExit: [0, 1] } },
    { cmd: node, args: [OPSCTL, 'migrate', 'status'], options },
  ],
  RUNS,
);
const [history2, sync] = SYNC_RUNS
  ? compare(
      [
        { cmd: node, args: [OPSCTL, 'etl', 'history', '--json'], options },
        { cmd: node, args: [OPSCTL, 'sync', 'run', '--json'], options },
      ],
      SYNC_RUNS,
    )
  : [];

const row = (label, ms, ref, refLabel) =>
  console.log(
    `${label.padEnd(26)} ${ms.toFixed(1).padStart(8)} ms${ref ? `  (${(ms / ref).toFixed(2)}x ${refLabel})` : ''}`,
  );
row('node -e 0', bare);
row('opsctl --version', version, bare, 'node -e 0');
row('opsctl --help', help, bare, 'node -e 0');
row('opsctl etl history --json', history, bare, 'node -e 0');
row('opsctl status --json', status, history, 'etl history');
row('opsctl migrate status', migrate, history, 'etl history');
if (SYNC_RUNS) row('opsctl sync run (no-op)', sync, history2, 'etl history');
console.log(`median of ${RUNS} interleaved runs (sync: ${SYNC_RUNS})`);

for (const [label, ms] of [
  ['node -e 0', bare],
  ['etl history --json', history],
  ['status --json', status],
  ['migrate status', migrate],
])
  figure(label, ms, 'ms');
let ok = verdict('opsctl --version / node -e 0', version / bare, 1.5);
figure('opsctl --help / node -e 0', help / bare, 'x');
figure('opsctl etl history --json / node -e 0', history / bare, 'x');
ok = verdict('opsctl status --json / etl history --json (demo workspace)', status / history, 3) && ok;
figure('opsctl migrate status / etl history --json', migrate / history, 'x');
if (SYNC_RUNS) ok = verdict('no-op sync run / etl history --json (demo workspace)', sync / history2, 3) && ok;
finish(
  'startup',
  'real commands on a demo workspace against node -e 0 and etl history --json, median of interleaved runs',
  ok,
);
