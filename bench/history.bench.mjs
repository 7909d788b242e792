// History at constant cost: the bot's /metrics scrape (BotMetrics.render(): run counts, newest finished run of each
// operation and pipeline, newest execution of each table, open runs, then prom-client's exposition with its default
// process metrics) and the Runs pane's first page (etl.history: listRuns newest 21 + countRuns total, the store queries
// the pane calls), each on a SQLite state store holding 1,000 runs and on one holding BENCH_HISTORY_RUNS (default
// 1,000,000), one execution-log row per run, 10 pipelines × 3 operations. Both stores are built first and then
// measured in alternation (a scrape of one, a scrape of the other…), so a slow moment of a loaded machine hits both.
// Targets: each at the large store ≤ 1.5× the same at 1,000 runs; the event loop's longest stall during the large
// store's scrapes ≤ 50 ms. The SQLite driver is synchronous, so a query's whole duration is a stall; on a loaded
// machine the OS also deschedules the process for tens of ms, which the monitor cannot tell apart, so the same monitor
// over an idle stretch of the same length is printed beside it (the machine's own stall), with the CPU time per scrape
// (process.cpuUsage: what the scrape costs, whatever the load) and the state-store reads of a scrape alone.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { figure, finish, limit, median, tempDir, verdict } from './lib.mjs';

const dist = new URL('../dist/', import.meta.url);
const { openStateStore } = await import(new URL('src/state/open.js', dist));
const { BotMetrics } = await import(new URL('src/bot/metrics.js', dist));
const { listRuns, countRuns, listOpenRuns } = await import(new URL('src/state/runs.js', dist));

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

const { runCountsByStatus, latestFinishedRuns, latestExecutions } = await import(
  new URL('src/state/run-stats.js', dist)
);

/** What one store is measured with: the scrape, the Runs pane's first page, and the scrape's state reads alone. */
async function subject(store) {
  const metrics = new BotMetrics({ state: async () => store, version: 'bench', inFlight: () => 0 });
  const pane = async () => {
    const filter = { pipelinesOnly: true };
    await listRuns(store, { ...filter, limit: 21 });
    await countRuns(store, filter);
  };
  const reads = async () => {
    await runCountsByStatus(store);
    await listOpenRuns(store);
    await latestFinishedRuns(store, 'r.operation, r.pipeline, r.status, r.duration_ms, r.finished_at');
    await latestExecutions(store, 'e.pipeline, e.table_name, e.rows_loaded');
  };
  for (let i = 0; i < 5; i++) (await metrics.render(), await pane(), await reads()); // warm-up
  const body = await metrics.render();
  if (!/opsctl_runs\{operation="etl.run",status="succeeded"\}/.test(body) || !/opsctl_state_store_up 1/.test(body))
    throw new Error(`the scrape did not read the runs:\n${body.slice(0, 2000)}`);
  return { metrics, pane, reads, scrape: [], first: [], reads_: [], cpu: [], stallNs: 0 };
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** One round: a scrape, the pane's first page and the reads of each subject in turn; the large one under the monitor. */
async function round(s, monitored) {
  const loop = monitored ? monitorEventLoopDelay({ resolution: 1 }) : undefined;
  loop?.enable();
  const c0 = cpuMs();
  s.scrape.push(await time(() => s.metrics.render()));
  s.cpu.push(cpuMs() - c0);
  s.first.push(await time(s.pane));
  s.reads_.push(await time(s.reads));
  // A timer, not setImmediate: the monitor samples on a timer, which must get to fire for the stall to be recorded.
  await new Promise((r) => setTimeout(r, 2));
  if (loop) {
    loop.disable();
    s.stallNs = Math.max(s.stallNs, loop.max);
  }
}

const smallStore = await storeWith(1_000);
const largeStore = await storeWith(LARGE);
const [small, large] = [await subject(smallStore), await subject(largeStore)];
const idle = { stallNs: 0, ms: 0 };
for (let i = 0; i < ROUNDS; i++) {
  await round(small, false);
  const t0 = performance.now();
  await round(large, true);
  // The same stretch with nothing to do: what the machine itself makes the event loop wait.
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  await new Promise((r) => setTimeout(r, performance.now() - t0));
  loop.disable();
  idle.stallNs = Math.max(idle.stallNs, loop.max);
}
await smallStore.close();
await largeStore.close();
const a = {
  scrape: median(small.scrape),
  pane: median(small.first),
  reads: median(small.reads_),
  cpu: median(small.cpu),
};
const b = {
  scrape: median(large.scrape),
  pane: median(large.first),
  reads: median(large.reads_),
  cpu: median(large.cpu),
  stallMs: large.stallNs / 1e6,
};
const idleStallMs = idle.stallNs / 1e6;

const line = (label, x, y) =>
  console.log(
    `${label.padEnd(28)} ${x.toFixed(2).padStart(8)} ms  ${y.toFixed(2).padStart(8)} ms  ${(y / x).toFixed(2)}x`,
  );
console.log(`${''.padEnd(28)} ${'1,000 runs'.padStart(11)} ${`${LARGE.toLocaleString('en-US')} runs`.padStart(11)}`);
line('/metrics scrape (median)', a.scrape, b.scrape);
line('  of it, CPU time', a.cpu, b.cpu);
line('  of it, the state reads', a.reads, b.reads);
line('Runs pane first page (median)', a.pane, b.pane);
console.log(
  `longest event-loop stall during the ${LARGE.toLocaleString('en-US')}-run scrapes: ${b.stallMs.toFixed(1)} ms ` +
    `(the same monitor over idle stretches of the same length: ${idleStallMs.toFixed(1)} ms)`,
);
figure('/metrics scrape at 1,000 runs', a.scrape, 'ms');
figure(`/metrics scrape at ${LARGE.toLocaleString('en-US')} runs`, b.scrape, 'ms');
figure('Runs pane first page at 1,000 runs', a.pane, 'ms');
figure(`Runs pane first page at ${LARGE.toLocaleString('en-US')} runs`, b.pane, 'ms');
let ok = verdict(`/metrics scrape, ${LARGE.toLocaleString('en-US')} / 1,000 runs`, b.scrape / a.scrape, 1.5);
figure('/metrics scrape CPU time at 1,000 runs', a.cpu, 'ms');
figure(`/metrics scrape CPU time at ${LARGE.toLocaleString('en-US')} runs`, b.cpu, 'ms');
ok = verdict(`  its state reads, ${LARGE.toLocaleString('en-US')} / 1,000 runs`, b.reads / a.reads, 1.5) && ok;
ok = verdict(`Runs pane first page, ${LARGE.toLocaleString('en-US')} / 1,000 runs`, b.pane / a.pane, 1.5) && ok;
const stallOk = limit('longest event-loop stall during the large scrapes', b.stallMs, 'ms', 50);
figure('longest event-loop stall over idle stretches of the same length (the machine)', idleStallMs, 'ms');
finish(
  'history',
  `the /metrics scrape of the bot and the Runs pane's first page on a SQLite store of 1,000 runs against one of ${LARGE.toLocaleString('en-US')}`,
  ok && stallOk,
);
