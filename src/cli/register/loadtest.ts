import type { Command } from 'commander';
import type { InputFor, ResultFor } from '../../../commands/catalog.js';
import { HTTP_METHODS } from '../../config/sections/loadtest.js';
import { UsageError } from '../../errors.js';
import { fmt, signed } from '../../loadtest/compare.js';
import { action, type Options } from '../action.js';
import { finiteNumber, oneOf, positiveNumber, text, texts, wholeNumber } from '../args.js';
import { ago, count, duration, latency, percent, plural, rate } from '../../format.js';
import type { TextOut } from '../output.js';

type LoadTestRun = ResultFor<'loadtest.run'>;

const collect = (value: string, previous: string[] = []) => [...previous, value];

function headers(list: string[] | undefined): Record<string, string> | undefined {
  if (!list?.length) return undefined;
  const out: Record<string, string> = {};
  for (const h of list) {
    const i = h.indexOf(':');
    if (i <= 0)
      throw new UsageError(`header "${h}" is not "Name: value"`, { hint: 'e.g. -H "Authorization: Bearer $TOKEN"' });
    out[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  return out;
}

function runInput([url]: string[], o: Options): InputFor<'loadtest.run'> {
  if (!url && !o.profile)
    throw new UsageError('give a URL or --profile <name>', {
      hint: 'e.g. opsctl loadtest run http://127.0.0.1:8080/ -c 50 -d 30s',
    });
  return {
    cwd: process.cwd(),
    url,
    profile: text(o.profile),
    method: oneOf(text(o.method)?.toUpperCase(), HTTP_METHODS, '--method'),
    headers: headers(texts(o.header)),
    body: text(o.body),
    bodyFile: text(o.bodyFile),
    timeout: text(o.timeout),
    connections: wholeNumber(o.connections, '-c'),
    requests: wholeNumber(o.requests, '-n'),
    duration: text(o.duration),
    rate: positiveNumber(o.rate, '--rate'),
    ...(o.closed ? { model: 'closed' } : {}),
    warmup: text(o.warmup),
    maxErrorRate: finiteNumber(o.maxErrorRate, '--max-error-rate'),
    thresholds: texts(o.threshold)
      ?.flatMap((t) => t.split(','))
      .filter(Boolean),
  };
}

export function registerLoadtest(program: Command): void {
  const lt = program
    .command('loadtest')
    .description('Load tests with thresholds, honest latencies (open model), a stored history and a baseline verdict')
    .helpGroup('Services:');

  lt.command('run')
    .description('Load-test a URL or a configured profile; exit 1 when a threshold is breached')
    .argument('[url]', 'the URL (or use --profile)')
    .option('-p, --profile <name>', 'a profile from loadtest.profiles (flags override its values)')
    .option('-m, --method <method>', 'HTTP method (default GET)')
    .option('-H, --header <header>', '"Name: value", repeatable', collect)
    .option('-b, --body <text>', 'request body')
    .option('--body-file <file>', 'request body from a file (like ab -p payload.json)')
    .option('-t, --timeout <duration>', 'per request: wait for headers, and between body chunks (default 10s)')
    .option(
      '-c, --connections <n>',
      'connections: closed model, the sockets kept busy; open model, the most sockets used (default 10)',
    )
    .option('-n, --requests <n>', 'stop after this many requests')
    .option('-d, --duration <duration>', 'stop after this long, e.g. 30s (default 10s when -n is not given)')
    .option('-r, --rate <rps>', 'open model: send this many requests per second, latency from the intended send time')
    .option('--closed', 'closed model even when the profile sets a rate')
    .option('-w, --warmup <duration>', 'warm-up before the measured run, not counted (default 1s; 0s for none)')
    .option('--threshold <expr>', 'p95<150ms, rps>200, errors<1%, non2xx=0 (repeatable or comma-separated)', collect)
    .option(
      '--max-error-rate <percent>',
      'fail when more than this percent of requests fail, thresholds or not (default 50; 100 = never)',
    )
    .addHelpText(
      'after',
      `
After \`run\`, -c is the connection count (like ab -c); before \`loadtest\` it is still --config.
Closed model (default): like ab/autocannon, each connection sends its next request when the previous answer ends.
Open model (--rate): requests are due at a fixed rate whatever the server does, and latency counts from each request's
due time, so a server that stalls shows it in the percentiles (no coordinated omission, like wrk2).
Errors by kind: timeout, refused, reset, other; non-2xx answers count as errors too. Every run is stored.
rps is answered requests per second (the requests sent are reported beside it); a timed-out request counts in the
latency at its timeout; a latency threshold fails when nothing was answered; a run with over 50% errors fails
(--max-error-rate, or an errors<N% threshold, says otherwise).

Examples:
  opsctl loadtest run http://127.0.0.1:8080/health --connections 50 -d 30s --threshold "p95<150ms" --threshold "non2xx=0"
  opsctl loadtest run http://127.0.0.1:8080/api -m POST --body-file payload.json -n 1000 --connections 100
  opsctl loadtest run http://127.0.0.1:8080/api --rate 200 -d 20s --threshold "p99<500ms,errors<1%"
  opsctl loadtest run --profile recommendations --json`,
    )
    .action(
      action({
        operation: 'loadtest.run',
        input: runInput,
        render: renderRun,
        exitCode: (r) => (r.passed ? 0 : 1),
      }),
    );

  lt.command('history')
    .description('Stored runs, newest first')
    .option('-p, --profile <name>', 'only this profile')
    .option('--url <url>', 'only runs against this URL')
    .option('--limit <n>', 'how many (default 20)')
    .action(
      action({
        operation: 'loadtest.history',
        input: (_a, o) => ({ profile: text(o.profile), url: text(o.url), limit: wholeNumber(o.limit, '--limit') }),
        render: renderHistory,
      }),
    );

  lt.command('compare')
    .description(
      'Compare a run with a baseline: deltas and a verdict (better, same within noise, regression); exit 1 on regression',
    )
    .argument('[run]', 'run id (default: the newest run)')
    .option('--baseline <run>', 'baseline run id (default: the previous run of the same profile or URL)')
    .option('--noise <percent>', 'changes under this percent are noise (default loadtest.noisePercent, 5)')
    .action(
      action({
        operation: 'loadtest.compare',
        input: ([run], o) => ({
          run: wholeNumber(run, 'RUN'),
          baseline: wholeNumber(o.baseline, '--baseline'),
          noisePercent: finiteNumber(o.noise, '--noise'),
        }),
        render: renderCompare,
        exitCode: (r) => (r.verdict === 'regression' ? 1 : 0),
      }),
    );
}

export function describePlan(r: LoadTestRun): string {
  const p = r.plan;
  const bound = [p.requests ? plural(p.requests, 'request') : '', p.durationMs ? duration(p.durationMs) : '']
    .filter(Boolean)
    .join(' or ');
  return p.model === 'open'
    ? `open model, ${rate(p.rate)} over up to ${plural(p.connections, 'connection')}, ${bound}`
    : `closed model, ${plural(p.connections, 'connection')}, ${bound}`;
}

function renderRun(r: LoadTestRun, out: TextOut): void {
  out.line(`${out.c.bold(`run ${r.id}`)}  ${r.method} ${r.url}${r.profile ? `  (profile ${r.profile})` : ''}`);
  out.line(
    out.c.dim(
      `${describePlan(r)}; warm-up ${duration(r.plan.warmupMs)} (${plural(r.warmupRequests, 'request')}, not counted)`,
    ),
  );
  out.line();
  out.kv([
    [
      'requests',
      `${count(r.requests)} in ${duration(r.durationMs)}${r.sentRate !== undefined ? ` (sent at ${rate(r.sentRate)})` : ''}`,
    ],
    ['throughput', `${rate(r.rps)} answered${r.sentRps !== undefined ? ` (${rate(r.sentRps)} sent)` : ''}`],
    [
      'latency',
      r.responses === 0 && r.errors.timeout === 0
        ? 'undefined (no request was answered)'
        : `p50 ${latency(r.latency.p50)}  p90 ${latency(r.latency.p90)}  p95 ${latency(r.latency.p95)}  p99 ${latency(r.latency.p99)}  p99.9 ${latency(r.latency.p999)}  max ${latency(r.latency.max)}`,
    ],
    [
      '',
      out.c.dim(r.errors.timeout > 0 ? 'timed-out requests count at their timeout; ' : '') +
        out.c.dim(r.plan.model === 'open' ? "from each request's intended send time" : "from each request's send time"),
    ],
    [
      'status codes',
      Object.entries(r.statusCodes)
        .map(([k, v]) => `${k}: ${v}`)
        .join('  ') || '(no answers)',
    ],
    [
      'errors',
      `${count(r.errorTotal)} (${percent(r.errorRate)}): timeout ${r.errors.timeout}, refused ${r.errors.refused}, reset ${r.errors.reset}, other ${r.errors.other}, non-2xx ${r.non2xx}`,
    ],
  ]);
  for (const [kind, message] of Object.entries(r.errorSamples)) out.line(out.c.dim(`  ${kind}: ${message}`));
  if (r.thresholds.length) {
    out.line();
    for (const t of r.thresholds)
      out.line(`${t.passed ? out.c.green('pass') : out.c.red('FAIL')}  ${t.text.padEnd(14)} ${t.message}`);
  }
  out.line();
  const breached = r.thresholds.filter((t) => !t.passed);
  out.line(
    r.passed
      ? out.c.green(r.thresholds.some((t) => !t.implicit) ? 'PASSED: every threshold held' : 'done (no thresholds set)')
      : out.c.red(`BREACHED: ${breached.map((t) => t.text).join(', ')}`),
  );
}

function renderHistory(h: ResultFor<'loadtest.history'>, out: TextOut): void {
  out.table(
    h.runs,
    [
      { header: 'RUN', value: (r) => r.id, align: 'right' },
      { header: 'WHEN', value: (r) => ago(r.startedAt) },
      { header: 'PROFILE', value: (r) => r.profile ?? '-' },
      { header: 'TARGET', value: (r) => `${r.method} ${r.url}` },
      {
        header: 'MODEL',
        value: (r) => (r.plan.model === 'open' ? `open ${rate(r.plan.rate)}` : `closed c${r.plan.connections}`),
      },
      { header: 'RATE', value: (r) => rate(r.rps), align: 'right' },
      { header: 'P50', value: (r) => latency(r.latency.p50), align: 'right' },
      { header: 'P95', value: (r) => latency(r.latency.p95), align: 'right' },
      { header: 'P99', value: (r) => latency(r.latency.p99), align: 'right' },
      { header: 'ERRORS', value: (r) => percent(r.errorRate), align: 'right' },
      {
        header: 'RESULT',
        value: (r) => (r.thresholds.length ? (r.passed ? 'passed' : 'failed') : '-'),
        color: (t, r) => (r.thresholds.length ? (r.passed ? out.c.green(t) : out.c.red(t)) : t),
      },
    ],
    { empty: '(no runs stored yet: opsctl loadtest run <url>)' },
  );
}

const VERDICT_TEXT = { better: 'BETTER', same: 'SAME within noise', regression: 'REGRESSION' } as const;

function renderCompare(r: ResultFor<'loadtest.compare'>, out: TextOut): void {
  out.line(
    `run ${r.run.id} (${ago(r.run.startedAt)}) against baseline ${r.baseline.id} (${ago(r.baseline.startedAt)})  ${r.run.method} ${r.run.url}`,
  );
  out.line();
  out.table(r.metrics, [
    { header: 'METRIC', value: (m) => m.metric },
    { header: 'BASELINE', value: (m) => fmt(m.baseline, m.unit), align: 'right' },
    { header: 'RUN', value: (m) => fmt(m.current, m.unit), align: 'right' },
    { header: 'DELTA', value: (m) => signed(m), align: 'right' },
    { header: 'NOISE', value: (m) => `±${fmt(m.noise, m.unit)}`, align: 'right' },
    {
      header: 'CHANGE',
      value: (m) => m.change,
      color: (t, m) => (m.change === 'worse' ? out.c.red(t) : m.change === 'better' ? out.c.green(t) : out.c.dim(t)),
    },
  ]);
  out.line();
  const text = VERDICT_TEXT[r.verdict];
  out.line(r.verdict === 'regression' ? out.c.red(text) : r.verdict === 'better' ? out.c.green(text) : text);
  for (const reason of r.reasons) out.line(out.c.dim(`  ${reason}`));
}
