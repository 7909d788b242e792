import { THRESHOLD_PATTERN } from '../config/sections/loadtest.js';
import { UsageError } from '../errors.js';
import type { LatencySummary } from './histogram.js';

/**
 * Thresholds, k6-style: `p95<150ms`, `p99<=1s`, `max<2s`, `rps>200`, `errors<1%`, `errors=0`, `non2xx=0`,
 * `timeouts<0.5%`. Latencies default to milliseconds; error metrics are a count, or a share of all requests with `%`.
 */
export type ThresholdMetric =
  | 'p50'
  | 'p90'
  | 'p95'
  | 'p99'
  | 'p999'
  | 'max'
  | 'mean'
  | 'rps'
  | 'errors'
  | 'non2xx'
  | 'timeouts'
  | 'refused'
  | 'resets';
export type ThresholdOp = '<' | '<=' | '>' | '>=' | '=';

export interface Threshold {
  text: string;
  metric: ThresholdMetric;
  op: ThresholdOp;
  /** In ms for latencies, req/s for rps, a count or a percent (see `percent`) for errors. */
  value: number;
  percent: boolean;
  /** Not written by the operator: the default error-rate gate (see DEFAULT_MAX_ERROR_RATE). */
  implicit?: boolean;
}

export interface ThresholdResult extends Threshold {
  /** NaN (null once stored) when the metric is undefined: a latency percentile over no answers. */
  actual: number;
  passed: boolean;
  /** e.g. `p95 = 212.4 ms, over 150 ms` */
  message: string;
}

export interface MeasuredRun {
  requests: number;
  /** Requests answered (any status): percentiles over none are undefined. */
  responses: number;
  rps: number;
  latency: LatencySummary;
  errors: { timeout: number; refused: number; reset: number; other: number };
  non2xx: number;
}

const LATENCY = new Set<ThresholdMetric>(['p50', 'p90', 'p95', 'p99', 'p999', 'max', 'mean']);

export function parseThreshold(text: string): Threshold {
  const m = THRESHOLD_PATTERN.exec(text);
  if (!m) {
    throw new UsageError(`threshold "${text}" is not understood`, {
      hint: 'Write thresholds like p95<150ms, rps>200, errors<1% or non2xx=0.',
    });
  }
  let metric = m[1]!.toLowerCase();
  if (metric === 'p99.9') metric = 'p999';
  if (metric === 'timeout') metric = 'timeouts';
  if (metric === 'reset') metric = 'resets';
  const op = (m[2] === '==' ? '=' : m[2]) as ThresholdOp;
  const unit = m[4]?.toLowerCase();
  let value = Number(m[3]);
  const latency = LATENCY.has(metric as ThresholdMetric);
  if (latency) {
    if (unit === '%')
      throw new UsageError(`threshold "${text}": a latency takes ms, s or us, not %`, { hint: 'e.g. p95<150ms' });
    if (unit === 's') value *= 1000;
    if (unit === 'us' || unit === 'µs') value /= 1000;
  } else if (unit && unit !== '%') {
    throw new UsageError(`threshold "${text}": ${metric} takes no time unit`, {
      hint: metric === 'rps' ? 'e.g. rps>200' : `e.g. ${metric}<1% or ${metric}=0`,
    });
  } else if (unit === '%' && metric === 'rps') {
    throw new UsageError(`threshold "${text}": rps is requests per second, not a percent`, { hint: 'e.g. rps>200' });
  }
  return { text: text.replace(/\s+/g, ''), metric: metric as ThresholdMetric, op, value, percent: unit === '%' };
}

function actualOf(t: Threshold, run: MeasuredRun): number {
  if (LATENCY.has(t.metric)) return run.latency[t.metric as keyof LatencySummary];
  if (t.metric === 'rps') return run.rps;
  const count =
    t.metric === 'errors'
      ? run.errors.timeout + run.errors.refused + run.errors.reset + run.errors.other + run.non2xx
      : t.metric === 'non2xx'
        ? run.non2xx
        : t.metric === 'timeouts'
          ? run.errors.timeout
          : t.metric === 'refused'
            ? run.errors.refused
            : run.errors.reset;
  return t.percent ? (run.requests > 0 ? (count / run.requests) * 100 : 0) : count;
}

function holds(op: ThresholdOp, actual: number, value: number): boolean {
  switch (op) {
    case '<':
      return actual < value;
    case '<=':
      return actual <= value;
    case '>':
      return actual > value;
    case '>=':
      return actual >= value;
    case '=':
      return actual === value;
  }
}

export function formatMetric(t: Pick<Threshold, 'metric' | 'percent'>, value: number): string {
  if (LATENCY.has(t.metric)) return `${round(value)} ms`;
  if (t.metric === 'rps') return `${round(value)} req/s`;
  return t.percent ? `${round(value)}%` : String(value);
}

const round = (v: number) =>
  Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2).replace(/\.?0+$/, '') || '0';

const WORDS: Record<ThresholdOp, string> = {
  '<': 'not under',
  '<=': 'over',
  '>': 'not over',
  '>=': 'under',
  '=': 'not',
};

/** A run whose error rate is over this percent fails unless the profile (maxErrorRate) or an errors % threshold says otherwise. */
export const DEFAULT_MAX_ERROR_RATE = 50;

/**
 * The gates a run is judged by: the operator's thresholds, plus `errors<=N%` (N = `maxErrorRate`, default 50) unless
 * they set an `errors` percentage themselves. `maxErrorRate: 100` turns the implicit gate off.
 */
export function withErrorRateGate(thresholds: Threshold[], maxErrorRate = DEFAULT_MAX_ERROR_RATE): Threshold[] {
  if (maxErrorRate >= 100 || thresholds.some((t) => t.metric === 'errors' && t.percent)) return thresholds;
  return [...thresholds, { ...parseThreshold(`errors<=${maxErrorRate}%`), implicit: true }];
}

export function evaluateThresholds(thresholds: Threshold[], run: MeasuredRun): ThresholdResult[] {
  return thresholds.map((t) => {
    if (LATENCY.has(t.metric) && run.responses === 0) {
      // Percentiles over zero answers are undefined, not 0: a latency gate cannot pass on a run nothing answered.
      return { ...t, actual: Number.NaN, passed: false, message: `${t.metric} undefined: no request was answered` };
    }
    const actual = actualOf(t, run);
    const passed = holds(t.op, actual, t.value);
    const name = t.metric === 'errors' && t.percent ? 'error rate' : t.metric;
    const message = `${name} = ${formatMetric(t, actual)}${passed ? '' : `, ${WORDS[t.op]} ${formatMetric(t, t.value)}`}`;
    return { ...t, actual, passed, message };
  });
}
