import { z } from 'zod';
import { HTTP_METHODS } from '../../src/config/sections/loadtest.js';
import { nameSchema } from '../../src/config/sections/common.js';
import { CancelledError } from '../../src/errors.js';
import { latency, plural, rate } from '../../src/format.js';
import type { LiveTick } from '../../src/loadtest/types.js';
import { encodeHistogram } from '../../src/loadtest/histogram.js';
import { redactHeaders, resolvePlan } from '../../src/loadtest/plan.js';
import { probeReachable } from '../../src/loadtest/probe.js';
import { runLoadIsolated } from '../../src/loadtest/threaded.js';
import { saveRun, type LoadTestRun } from '../../src/loadtest/store.js';
import { evaluateThresholds } from '../../src/loadtest/thresholds.js';
import { asRun } from '../as-run.js';
import { defineOperation, type OperationContext } from '../operation.js';

export const loadtestRunInput = z.object({
  url: z.string().min(1).optional(),
  profile: nameSchema.optional(),
  method: z.enum(HTTP_METHODS).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
  bodyFile: z.string().optional(),
  timeout: z.string().optional(),
  model: z.enum(['closed', 'open']).optional(),
  connections: z.number().int().min(1).max(1000).optional(),
  requests: z.number().int().min(1).max(10_000_000).optional(),
  duration: z.string().optional(),
  rate: z.number().positive().max(1_000_000).optional(),
  warmup: z.string().optional(),
  thresholds: z.array(z.string()).optional(),
  /** Fail a run whose error rate is over this percent (default the profile's maxErrorRate, 50; 100 = never). */
  maxErrorRate: z.number().min(0).max(100).optional(),
  /** Where a relative --body-file is read from (the CLI's working directory). */
  cwd: z.string().optional(),
});

/** The live figures a face shows while the run goes (progress.item). */
export type LoadtestLive = LiveTick;

/** Runs a load test, checks its thresholds and stores it. `passed: false` is a result, not an error (exit 1). */
export const loadtestRun = defineOperation({
  name: 'loadtest.run',
  summary: 'Load-test an HTTP endpoint (closed or open model) against thresholds; the run is stored',
  input: loadtestRunInput,
  async run(ctx, input): Promise<LoadTestRun> {
    const plan = resolvePlan(ctx.config, input, input.cwd);
    // A run record around the test: a cancelled one (x in the console, quit → cancel, ctrl+c) ends `cancelled`, never
    // left `running` and never stored as a passed run; a load test that errors is a failed run like a failed backup.
    return asRun(
      ctx,
      'loadtest.run',
      plan.profile ?? plan.url,
      () => measure(ctx, plan),
      (r) => ({
        id: r.id,
        passed: r.passed,
        requests: r.requests,
      }),
    );
  },
});

/** Runs the test, checks its thresholds and stores the result (the body of loadtest.run inside its run record). */
async function measure(ctx: OperationContext, plan: ReturnType<typeof resolvePlan>): Promise<LoadTestRun> {
  ctx.progress({ phase: 'connecting', note: plan.url });
  await probeReachable(plan.url, Math.min(plan.timeoutMs, 5000));
  const startedAt = new Date().toISOString();
  const result = await runLoadIsolated({
    url: plan.url,
    method: plan.method,
    headers: plan.headers,
    body: plan.body,
    timeoutMs: plan.timeoutMs,
    warmupMs: plan.warmupMs,
    model: plan.model,
    signal: ctx.signal,
    onTick(tick) {
      ctx.progress({
        phase: tick.phase === 'warmup' ? 'warm-up' : tick.phase === 'drain' ? 'finishing' : 'running',
        done: Math.round(tick.done),
        total: Math.round(tick.total),
        note: `${rate(tick.rps)} · p50 ${latency(tick.latency.p50)} · p99 ${latency(tick.latency.p99)} · ${plural(tick.errors, 'error')}`,
        item: tick,
      });
    },
  });
  if (ctx.signal.aborted)
    throw new CancelledError('load test cancelled: the partial run was not stored', {
      hint: 'Run it again to completion.',
    });
  const errorTotal =
    result.errors.timeout + result.errors.refused + result.errors.reset + result.errors.other + result.non2xx;
  const thresholds = evaluateThresholds(plan.thresholds, result);
  const run = {
    profile: plan.profile,
    url: plan.url,
    method: plan.method,
    startedAt,
    finishedAt: new Date().toISOString(),
    plan: {
      model: plan.model.kind,
      connections: plan.model.connections,
      ...(plan.model.kind === 'open' ? { rate: plan.model.rate } : {}),
      ...(plan.model.requests ? { requests: plan.model.requests } : {}),
      ...(plan.model.durationMs ? { durationMs: plan.model.durationMs } : {}),
      warmupMs: plan.warmupMs,
      timeoutMs: plan.timeoutMs,
      headers: redactHeaders(plan.headers),
      bodyBytes: plan.body?.length ?? 0,
    },
    durationMs: result.durationMs,
    requests: result.requests,
    responses: result.responses,
    rps: result.rps,
    sentRps: result.sentRps,
    bytesRead: result.bytesRead,
    latency: result.latency,
    statusCodes: result.statusCodes,
    errors: result.errors,
    errorTotal,
    errorRate: result.requests ? Math.round((errorTotal / result.requests) * 100 * 1000) / 1000 : 0,
    non2xx: result.non2xx,
    errorSamples: result.errorSamples,
    warmupRequests: result.warmupRequests,
    samples: result.samples,
    ...(result.sentRate !== undefined ? { sentRate: result.sentRate } : {}),
    thresholds,
    passed: thresholds.every((t) => t.passed),
    trigger: ctx.trigger,
  };
  const store = await ctx.state();
  return saveRun(store, run, encodeHistogram(result.histogram));
}
