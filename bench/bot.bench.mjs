// The bot's /metrics scrape latency against a bare node:http server answering the same body, both on loopback in the
// same run, requests interleaved: median and p95 of each and the ratio of the medians, first on an empty state store
// (prom-client's own cost) and then on a year of nightly runs (10 pipelines × 365 runs, 3 execution log rows each),
// where each scrape also reads the run metrics from SQLite. Target: ≤ 20× on the year of runs.
import { createServer } from 'node:http';
import { finish, tempDir, verdict } from './lib.mjs';

const dist = new URL('../dist/', import.meta.url);
const { startBotService } = await import(new URL('src/bot/service.js', dist));
const { createRuntime } = await import(new URL('commands/runtime.js', dist));
const { loadConfig } = await import(new URL('src/config/load.js', dist));
const { silentLogger } = await import(new URL('src/log/logger.js', dist));
const { startRun, finishRun } = await import(new URL('src/state/runs.js', dist));
const { logExecution } = await import(new URL('src/state/execution-log.js', dist));

const RUNS = Number(process.env.BENCH_RUNS ?? 500);
const PIPELINES = 10;
const DAYS = 365;

async function scrape(url) {
  const t0 = process.hrtime.bigint();
  const res = await fetch(`${url}/metrics`);
  await res.text();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const q = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(p * values.length))];

/** Interleaved scrapes of the bot and of a bare server answering the bot's current body. */
async function measure(service) {
  const first = await fetch(`${service.url}/metrics`);
  const body = await first.text();
  const contentType = first.headers.get('content-type');
  const bare = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise((r) => bare.listen(0, '127.0.0.1', r));
  const bareUrl = `http://127.0.0.1:${bare.address().port}`;
  for (let i = 0; i < 30; i++) (await scrape(service.url), await scrape(bareUrl)); // warm-up: JIT, connections
  const bot = [];
  const plain = [];
  for (let i = 0; i < RUNS; i++) {
    bot.push(await scrape(service.url));
    plain.push(await scrape(bareUrl));
  }
  bare.close();
  return { body, bot, plain, ratio: q(bot, 0.5) / q(plain, 0.5) };
}

const report = (label, m) => {
  const samples = m.body.split('\n').filter((l) => l && !l.startsWith('#')).length;
  console.log(`${label}: /metrics ${(Buffer.byteLength(m.body) / 1024).toFixed(1)} KiB, ${samples} samples`);
  console.log(
    `  bot /metrics  median ${q(m.bot, 0.5).toFixed(2)} ms  p95 ${q(m.bot, 0.95).toFixed(2)} ms  (${RUNS} scrapes)`,
  );
  console.log(
    `  bare http     median ${q(m.plain, 0.5).toFixed(2)} ms  p95 ${q(m.plain, 0.95).toFixed(2)} ms  → ${m.ratio.toFixed(2)}x`,
  );
};

const home = tempDir('bot');
const loaded = loadConfig({ cwd: home, env: {}, fileConfig: { home, bot: { port: 0, host: '127.0.0.1' } } });
const runtime = createRuntime({ loaded, log: silentLogger, trigger: 'cli' });
const service = await startBotService({ runtime, telegram: false, alerts: false });
report('empty state store', await measure(service));

const store = await runtime.state();
await store.transaction(async (tx) => {
  for (let day = 0; day < DAYS; day++) {
    for (let p = 0; p < PIPELINES; p++) {
      const pipeline = `pipeline_${p}`;
      const run = await startRun(tx, { operation: 'etl.run', pipeline, trigger: 'cron' });
      for (let t = 0; t < 3; t++) {
        await logExecution(tx, {
          runId: run.id,
          pipeline,
          table: `table_${t}`,
          status: 'ok',
          rowsExtracted: 1000,
          rowsLoaded: 990,
          rowsRejected: 10,
          startedAt: new Date().toISOString(),
        });
      }
      await finishRun(tx, run.id, { status: (day + p) % 17 === 0 ? 'failed' : 'succeeded', error: null });
    }
  }
});
const year = await measure(service);
report(`a year of runs (${PIPELINES * DAYS} runs, ${PIPELINES * DAYS * 3} execution log rows)`, year);
await service.stop();
await runtime.close();
const ok = verdict(
  'bot /metrics / bare http (median, a year of runs)',
  year.ratio,
  Number(process.env.BENCH_TARGET ?? 20),
);
finish(
  'bot',
  'the /metrics scrape of the bot against a bare node:http server answering the same body, on a year of runs',
  ok,
);
