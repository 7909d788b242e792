import type { SecondSample } from './types.js';
import type { LoadTestRun } from './store.js';

export type Verdict = 'better' | 'same' | 'regression';

export interface MetricDelta {
  metric: 'rps' | 'p50' | 'p95' | 'p99' | 'error rate';
  unit: 'req/s' | 'ms' | '%';
  baseline: number;
  current: number;
  delta: number;
  /** delta as a percent of the baseline (error rate: percentage points). */
  deltaPercent: number;
  /** The band within which a change is noise, in the metric's unit. */
  noise: number;
  change: 'better' | 'worse' | 'same';
}

export interface Comparison {
  verdict: Verdict;
  /** One line per metric that moved beyond its noise band. */
  reasons: string[];
  metrics: MetricDelta[];
}

function spread(values: number[]): { mean: number; sd: number; n: number } {
  const n = values.length;
  if (n === 0) return { mean: 0, sd: 0, n: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

/** Two standard errors of the difference of the per-second means: changes inside it are what the runs' own jitter gives. */
function jitterBand(a: number[], b: number[]): number {
  const x = spread(a);
  const y = spread(b);
  if (x.n < 2 || y.n < 2) return 0;
  return 2 * Math.sqrt((x.sd * x.sd) / x.n + (y.sd * y.sd) / y.n);
}

/** Full seconds only: the last, partial second would read as a throughput drop. */
const fullSeconds = (samples: SecondSample[]) => (samples.length > 2 ? samples.slice(0, -1) : samples);

/**
 * Compares a run with its baseline on throughput, p50/p95/p99 and error rate. A change counts only when it is larger
 * than both `noisePercent` of the baseline and the jitter between the runs' per-second samples (two standard errors);
 * the error rate moves when it changes by more than two binomial standard errors and a tenth of a point. Any metric
 * worse beyond its band is a regression; otherwise any metric better beyond its band is better; otherwise the same.
 */
export function compareRuns(current: LoadTestRun, baseline: LoadTestRun, noisePercent: number): Comparison {
  const cs = fullSeconds(current.samples);
  const bs = fullSeconds(baseline.samples);
  const metrics: MetricDelta[] = [];
  const add = (
    metric: MetricDelta['metric'],
    unit: MetricDelta['unit'],
    b: number,
    c: number,
    noise: number,
    higherIsBetter: boolean,
  ) => {
    const delta = c - b;
    const change = Math.abs(delta) <= noise ? 'same' : delta > 0 === higherIsBetter ? 'better' : 'worse';
    metrics.push({
      metric,
      unit,
      baseline: b,
      current: c,
      delta,
      deltaPercent: unit === '%' ? delta : b ? (delta / b) * 100 : 0,
      noise,
      change,
    });
  };
  const rel = (v: number) => (Math.abs(v) * noisePercent) / 100;
  add(
    'rps',
    'req/s',
    baseline.rps,
    current.rps,
    Math.max(
      rel(baseline.rps),
      jitterBand(
        bs.map((s) => s.requests),
        cs.map((s) => s.requests),
      ),
    ),
    true,
  );
  for (const p of ['p50', 'p95', 'p99'] as const) {
    add(
      p,
      'ms',
      baseline.latency[p],
      current.latency[p],
      Math.max(
        rel(baseline.latency[p]),
        jitterBand(
          bs.map((s) => s[p]),
          cs.map((s) => s[p]),
        ),
        0.01,
      ),
      false,
    );
  }
  const pb = baseline.errorRate / 100;
  const pc = current.errorRate / 100;
  const pooled = (baseline.errorTotal + current.errorTotal) / Math.max(1, baseline.requests + current.requests);
  const se =
    Math.sqrt(pooled * (1 - pooled) * (1 / Math.max(1, baseline.requests) + 1 / Math.max(1, current.requests))) * 100;
  add('error rate', '%', pb * 100, pc * 100, Math.max(2 * se, 0.1), false);

  const worse = metrics.filter((m) => m.change === 'worse');
  const better = metrics.filter((m) => m.change === 'better');
  const verdict: Verdict = worse.length ? 'regression' : better.length ? 'better' : 'same';
  const reasons = [...worse, ...better].map(
    (m) =>
      `${m.metric} ${m.change}: ${fmt(m.baseline, m.unit)} → ${fmt(m.current, m.unit)} (${signed(m)}, noise ±${fmt(m.noise, m.unit)})`,
  );
  return { verdict, reasons, metrics };
}

export function fmt(v: number, unit: MetricDelta['unit']): string {
  const n = Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
  return unit === '%' ? `${n}%` : `${n} ${unit}`;
}

export function signed(m: MetricDelta): string {
  const sign = m.delta >= 0 ? '+' : '';
  return m.unit === '%' ? `${sign}${m.delta.toFixed(2)} pt` : `${sign}${m.deltaPercent.toFixed(1)}%`;
}
