// The triage board at constant cost: the status.triage operation (every source: components, failed pipelines with
// their failures since the last success, orphaned runs, quarantine growth, stored cost levels, …) on a SQLite state
// store holding 1,000 runs and on one holding BENCH_TRIAGE_RUNS (default 1,000,000), with one quarantined record per
// ten runs, 10 pipelines × 3 operations, a failure every 17th run. Target: the large store ≤ 2× the small one (it must
// read indexed windows, not whole tables). Both stores are measured interleaved, median of BENCH_RUNS (default 21).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { figure, finish, median, tempDir, verdict } from './lib.mjs';

const dist = new URL('../dist/', import.meta.url);
const { openStateStore } = await import(new URL('src/state/open.js', dist));
const { loadConfig } = await import(new URL('src/config/load.js', dist));
const { Redactor } = await import(new URL('src/log/redact.js', dist));
const { silentLogger } = await import(new URL('src/log/logger.js', dist));
const { createRuntime } = await import(new URL('commands/runtime.js', dist));
const { run } = await import(new URL('commands/catalog.js', dist));

const LARGE = Number(process.env.BENCH_TRIAGE_RUNS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_RUNS ?? 21);
const PIPELINES = Array.from({ length: 10 }, (_, i) => `pipeline_${i}`);

/** A workspace whose state store holds `n` finished runs (one per 5 minutes back from now) and n / 10 quarantined rows. */
async function workspaceWith(n) {
  const dir = tempDir(`triage-${n}`);
  const url = `sqlite:${join(dir, 'state.db')}`;
  const store = await openStateStore(url);
  const t0 = performance.now();
  await store.run(
    `WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < ?)
     INSERT INTO runs (operation, pipeline, status, trigger, host, pid, started_at, finished_at, duration_ms, error)
     SELECT CASE i % 3 WHEN 0 THEN 'etl.run' WHEN 1 THEN 'sync.run' ELSE 'backup.create' END, 'pipeline_' || (i % 10),
            CASE WHEN i % 17 = 0 THEN 'failed' ELSE 'succeeded' END, 'cron', 'h', 1,
            strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || ((? - i) * 5) || ' minutes'),
            strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || ((? - i) * 5 - 1) || ' minutes'), 60000,
            CASE WHEN i % 17 = 0 THEN 'boom' END
     FROM g`,
    [n, n, n],
  );
  await store.run(
    `WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < ?)
     INSERT INTO quarantine (run_id, pipeline, table_name, reason, payload, created_at)
     SELECT i * 10, 'pipeline_' || (i % 10), 'table_' || (i % 3), 'bad row', '{"i":1}',
            strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || ((? - i) * 50) || ' minutes')
     FROM g`,
    [n / 10, n / 10],
  );
  await store.close();
  console.log(`${n.toLocaleString('en-US')} runs written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const file = {
    home: join(dir, 'home'),
    state: { url },
    warehouse: { duckdb: { path: join(dir, 'warehouse.duckdb') } },
    pipelines: Object.fromEntries(PIPELINES.map((p) => [p, { kind: 'spotify', source: 'sample' }])),
  };
  writeFileSync(join(dir, 'opsctl.config.json'), JSON.stringify(file));
  const loaded = loadConfig({ cwd: dir, env: {}, redactor: new Redactor(), fileConfig: file });
  return createRuntime({ loaded, log: silentLogger, trigger: 'cli' });
}

async function triage(ctx) {
  const t0 = performance.now();
  const r = await run('status.triage', ctx, {});
  const ms = performance.now() - t0;
  const failed = r.sources.filter((s) => !s.ok);
  if (failed.length) throw new Error(`triage sources failed: ${JSON.stringify(failed)}`);
  return { ms, r };
}

const small = await workspaceWith(1_000);
const large = await workspaceWith(LARGE);
for (let i = 0; i < 3; i++) (await triage(small), await triage(large)); // warm-up
const { r: board } = await triage(large);
// The board must have read the history: pipelines whose newest run failed, and the day's quarantine growth.
if (!board.items.some((i) => i.kind === 'quarantine'))
  throw new Error(`the board shows no quarantine growth: ${JSON.stringify(board.items.slice(0, 5))}`);
const a = [];
const b = [];
// Per source, both stores (the sources run concurrently, so each time includes the others' synchronous reads).
const sources = new Map();
const note = (store, r) => {
  for (const s of r.sources) sources.set(`${s.name} ${store}`, [...(sources.get(`${s.name} ${store}`) ?? []), s.ms]);
};
for (let i = 0; i < ROUNDS; i++) {
  const lil = await triage(small);
  a.push(lil.ms);
  note('1k', lil.r);
  const big = await triage(large);
  b.push(big.ms);
  note('large', big.r);
}
await small.close();
await large.close();

const x = median(a);
const y = median(b);
console.log(
  `status.triage (median of ${ROUNDS}): 1,000 runs ${x.toFixed(1)} ms, ${LARGE.toLocaleString('en-US')} runs ${y.toFixed(1)} ms`,
);
console.log(`per source (median ms, 1k / large): ${[...sources].map(([n, v]) => `${n} ${median(v)}`).join(', ')}`);
figure('status.triage at 1,000 runs', x, 'ms');
figure(`status.triage at ${LARGE.toLocaleString('en-US')} runs`, y, 'ms');
const ok = verdict(`status.triage, ${LARGE.toLocaleString('en-US')} / 1,000 runs`, y / x, 2);
finish(
  'triage',
  `the status.triage operation on a SQLite store of 1,000 runs against one of ${LARGE.toLocaleString('en-US')} (one quarantined row per ten runs), interleaved`,
  ok,
  { items: board.items.length, sources: Object.fromEntries([...sources].map(([n, v]) => [n, median(v)])) },
);
