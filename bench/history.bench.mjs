// History at constant cost: the bot's /metrics scrape (BotMetrics.render(): run counts, newest finished run of each
// operation and pipeline, newest execution of each table, open runs) and the Runs pane's first page (etl.history:
// listRuns newest 21 + countRuns total, the store queries the pane calls), each on a SQLite state store holding
// 1,000 runs and on one holding BENCH_HISTORY_RUNS (default 1,000,000), one execution-log row per run, 10 pipelines ×
// 3 operations. Targets: each at the large store ≤ 1.5× the same at 1,000 runs; the event loop's longest stall during
// the large store's scrapes ≤ 50 ms (the SQLite driver is synchronous: a stall is a query's whole duration).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { figure, finish, limit, median, tempDir, verdict } from './lib.mjs';

const dist = new URL('../dist/', import.meta.url);
const { openStateStore } = await import(new URL('src/state/open.js', dist));
const { BotMetrics } = await import(new URL('src/bot/metrics.js', dist));
const { listRuns, countRuns } = await import(new URL('src/state/runs.js', dist));

const LARGE = Number(process.env.BENCH_HISTORY_RUNS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_RUNS ?? 51);
const dir = tempDir('history');

/** A store with `n` finished runs (started one per 5 minutes back from now) and one execution-log row each. */
async function storeWith(n) {
  const store = await openStateStore(`sqlite:${join(dir, `state-${n}.db`)}`);
  const t0 = performance.now();
  await store.run(
    `WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < ?)
     INSERT INTO runs (operation, pipeline, status, trigger, host, pid, started_at, finished_at, duration_ms)
     SELECT CASE i % 3 WHEN 0 THEN 'etl.run' WHEN 1 THEN 'sync.run' ELSE 'backup.create' END, 'pipeline_' || (i % 10),
            CASE WHEN i % 17 = 0 THEN 'failed' ELSE 'succeeded' END, 'cron', 'h', 1,
            strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || ((? - i) * 5) || ' minutes'),
            strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || ((? - i) * 5 - 1) || ' minutes'), 60000
     FROM g`,
    [n, n, n],
  );
  await store.run(
    `INSERT INTO execution_log (run_id, pipeline, table_name, status, rows_extracted, rows_loaded, started_at)
     SELECT id, pipeline, 'table_' || (id % 3), 'ok', 1000, 990, started_at FROM runs`,
  );
  console.log(`${n.toLocaleString('en-US')} runs written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return store;
}

async function time(fn) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function measure(store) {
  const metrics = new BotMetrics({ state: async () => store, version: 'bench', inFlight: () => 0 });
  const pane = async () => {
    const filter = { pipelinesOnly: true };
    await listRuns(store, { ...filter, limit: 21 });
    await countRuns(store, filter);
  };
  for (let i = 0; i < 5; i++) (await metrics.render(), await pane()); // warm-up
  const body = await metrics.render();
  if (!/opsctl_runs\{operation="etl.run",status="succeeded"\}/.test(body) || !/opsctl_state_store_up 1/.test(body))
    throw new Error(`the scrape did not read the runs:\n${body.slice(0, 2000)}`);
  const scrape = [];
  const first = [];
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  for (let i = 0; i < ROUNDS; i++) {
    scrape.push(await time(() => metrics.render()));
    first.push(await time(pane));
    await new Promise((r) => setImmediate(r));
  }
  loop.disable();
  return { scrape: median(scrape), pane: median(first), stallMs: loop.max / 1e6, body };
}

const small = await storeWith(1_000);
const a = await measure(small);
await small.close();
const large = await storeWith(LARGE);
const b = await measure(large);
await large.close();

const line = (label, x, y) =>
  console.log(
    `${label.padEnd(28)} ${x.toFixed(2).padStart(8)} ms  ${y.toFixed(2).padStart(8)} ms  ${(y / x).toFixed(2)}x`,
  );
console.log(`${''.padEnd(28)} ${'1,000 runs'.padStart(11)} ${`${LARGE.toLocaleString('en-US')} runs`.padStart(11)}`);
line('/metrics scrape (median)', a.scrape, b.scrape);
line('Runs pane first page (median)', a.pane, b.pane);
console.log(
  `longest event-loop stall during the ${LARGE.toLocaleString('en-US')}-run scrapes: ${b.stallMs.toFixed(1)} ms`,
);
figure('/metrics scrape at 1,000 runs', a.scrape, 'ms');
figure(`/metrics scrape at ${LARGE.toLocaleString('en-US')} runs`, b.scrape, 'ms');
figure('Runs pane first page at 1,000 runs', a.pane, 'ms');
figure(`Runs pane first page at ${LARGE.toLocaleString('en-US')} runs`, b.pane, 'ms');
let ok = verdict(`/metrics scrape, ${LARGE.toLocaleString('en-US')} / 1,000 runs`, b.scrape / a.scrape, 1.5);
ok = verdict(`Runs pane first page, ${LARGE.toLocaleString('en-US')} / 1,000 runs`, b.pane / a.pane, 1.5) && ok;
const stallOk = limit('longest event-loop stall during the large scrapes', b.stallMs, 'ms', 50);
finish(
  'history',
  `the /metrics scrape of the bot and the Runs pane's first page on a SQLite store of 1,000 runs against one of ${LARGE.toLocaleString('en-US')}`,
  ok && stallOk,
);
