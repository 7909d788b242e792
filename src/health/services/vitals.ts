import type { ServiceConfig, WatchSpec } from '../../config/sections/services.js';
import { histogramQuantile, labelsMatch, type HistogramSeries, type Scrape, type Series } from './prometheus.js';

/** A counter or gauge the service exports, as configured under `watch`. */
export interface WatchedValue {
  label: string;
  metric: string;
  show: 'rate' | 'value';
  per: WatchSpec['per'];
  /** Undefined when the service does not export it. */
  value?: number;
}

/** What opsctl derives from two scrapes of a service's metrics, over the time between them. */
export interface ServiceVitals {
  windowMs: number;
  /** The metrics the figures came from. */
  sources: { requests?: string; latency?: string; errorLabel?: string };
  /** Requests per second. */
  rps?: number;
  /** Percent of requests that were errors. */
  errorRate?: number;
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  /** Percent of one core. */
  cpuPercent?: number;
  rssBytes?: number;
  watched: WatchedValue[];
  /** Figures that could not be derived, and why. */
  notes: string[];
}

type MetricsConfig = NonNullable<ServiceConfig['metrics']>;

const PER_SECONDS = { second: 1, minute: 60, hour: 3_600 } as const;

/** Increase of a counter between two readings; a drop is a restart, so the new reading is the whole increase. */
function increase(prev: number | undefined, cur: number): number {
  if (prev === undefined || cur < prev) return cur;
  return cur - prev;
}

function keyOf(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
}

/** Per-series increase of a counter, for the series that match `filter`. */
function seriesIncrease(prev: Series[] | undefined, cur: Series[] | undefined, filter?: (s: Series) => boolean) {
  const before = new Map((prev ?? []).map((s) => [keyOf(s.labels), s.value]));
  return (cur ?? [])
    .filter((s) => !filter || filter(s))
    .map((s) => ({
      labels: s.labels,
      value: increase(before.get(keyOf(s.labels)), s.value),
    }));
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** The request-duration histogram: configured, else the first *_duration_seconds one (request-named first). */
function pickLatency(scrape: Scrape, metrics: MetricsConfig): string | undefined {
  if (metrics.latency) return metrics.latency;
  const names = [...scrape.histograms.keys()].filter((n) => n.endsWith('_duration_seconds'));
  return names.find((n) => n.includes('request')) ?? names[0];
}

/** The request counter: configured, else *_requests_total (http_requests_total first). */
function pickRequests(scrape: Scrape, metrics: MetricsConfig): string | undefined {
  if (metrics.requests) return metrics.requests;
  const names = [...scrape.series.keys()].filter(
    (n) => n.endsWith('_requests_total') && scrape.types.get(n) === 'counter',
  );
  return names.find((n) => n === 'http_requests_total') ?? names[0];
}

/** Buckets of a histogram's increase between two scrapes, summed over its series (by upper bound). */
function bucketIncrease(prev: HistogramSeries[] | undefined, cur: HistogramSeries[]) {
  const before = new Map((prev ?? []).map((h) => [keyOf(h.labels), h]));
  const byLe = new Map<number, number>();
  for (const h of cur) {
    const p = before.get(keyOf(h.labels));
    const reset = p !== undefined && h.count < p.count;
    const prevByLe = new Map((reset ? [] : (p?.buckets ?? [])).map((b) => [b.le, b.count]));
    for (const b of h.buckets) byLe.set(b.le, (byLe.get(b.le) ?? 0) + increase(prevByLe.get(b.le) ?? 0, b.count));
  }
  return [...byLe.entries()].sort(([a], [b]) => a - b).map(([le, count]) => ({ le, count }));
}

/**
 * Request rate, error rate, latency percentiles, CPU and RSS of a service over the time between two scrapes, plus its
 * watched metrics. A figure the service does not export is left out and said in `notes`.
 */
export function deriveVitals(
  prev: Scrape,
  cur: Scrape,
  metrics: MetricsConfig,
  watch: readonly WatchSpec[] = [],
): ServiceVitals {
  const windowMs = Math.max(1, cur.at - prev.at);
  const seconds = windowMs / 1000;
  const notes: string[] = [];
  const vitals: ServiceVitals = { windowMs, sources: {}, watched: [], notes };

  const latency = pickLatency(cur, metrics);
  const histogram = latency ? cur.histograms.get(latency) : undefined;
  if (latency && histogram) {
    vitals.sources.latency = latency;
    const buckets = bucketIncrease(prev.histograms.get(latency), histogram);
    const ms = (q: number) => {
      const v = histogramQuantile(q, buckets);
      return v === undefined ? undefined : v * 1000;
    };
    const [p50, p95, p99] = [ms(0.5), ms(0.95), ms(0.99)];
    if (p50 !== undefined) vitals.p50Ms = p50;
    if (p95 !== undefined) vitals.p95Ms = p95;
    if (p99 !== undefined) vitals.p99Ms = p99;
    if (p50 === undefined) notes.push(`no requests observed in ${latency} during the window`);
  } else {
    notes.push(
      metrics.latency
        ? `histogram ${metrics.latency} is not exported`
        : 'no *_duration_seconds histogram exported (set metrics.latency)',
    );
  }

  // Requests: a counter, else the latency histogram's count, each series with its labels (for the error label).
  const requests = pickRequests(cur, metrics);
  let requestSeries: Array<{ labels: Record<string, string>; value: number }> | undefined;
  if (requests && cur.series.has(requests)) {
    vitals.sources.requests = requests;
    requestSeries = seriesIncrease(prev.series.get(requests), cur.series.get(requests));
  } else if (latency && histogram) {
    vitals.sources.requests = `${latency}_count`;
    const before = new Map((prev.histograms.get(latency) ?? []).map((h) => [keyOf(h.labels), h.count]));
    requestSeries = histogram.map((h) => ({ labels: h.labels, value: increase(before.get(keyOf(h.labels)), h.count) }));
  } else {
    notes.push(
      metrics.requests ? `counter ${metrics.requests} is not exported` : 'no request counter (set metrics.requests)',
    );
  }
  if (requestSeries) {
    const total = sum(requestSeries.map((s) => s.value));
    vitals.rps = total / seconds;
    const label =
      metrics.errors.label ??
      ['status', 'code', 'status_code'].find((l) => requestSeries.some((s) => s.labels[l] !== undefined));
    if (!label) notes.push(`${vitals.sources.requests} has no status label: error rate unknown (set metrics.errors)`);
    else {
      vitals.sources.errorLabel = label;
      const pattern = new RegExp(metrics.errors.match);
      const errors = sum(requestSeries.filter((s) => pattern.test(s.labels[label] ?? '')).map((s) => s.value));
      if (total > 0) vitals.errorRate = (errors / total) * 100;
    }
  }

  const cpuNow = sum((cur.series.get('process_cpu_seconds_total') ?? []).map((s) => s.value));
  if (cur.series.has('process_cpu_seconds_total')) {
    const cpuBefore = sum((prev.series.get('process_cpu_seconds_total') ?? []).map((s) => s.value));
    vitals.cpuPercent = (increase(cpuBefore, cpuNow) / seconds) * 100;
  } else notes.push('process_cpu_seconds_total is not exported');
  const rss = cur.series.get('process_resident_memory_bytes');
  if (rss?.length) vitals.rssBytes = sum(rss.map((s) => s.value));
  else notes.push('process_resident_memory_bytes is not exported');

  for (const spec of watch) vitals.watched.push(watched(prev, cur, spec, seconds));
  return vitals;
}

function watched(prev: Scrape, cur: Scrape, spec: WatchSpec, seconds: number): WatchedValue {
  const type = cur.types.get(spec.metric);
  const show = spec.show ?? (type === 'counter' ? 'rate' : 'value');
  const base = { label: spec.label ?? spec.metric, metric: spec.metric, show, per: spec.per } as const;
  const current = cur.series.get(spec.metric);
  if (!current) return base;
  const filter = (s: Series) => labelsMatch(s.labels, spec.labels);
  if (show === 'value') return { ...base, value: sum(current.filter(filter).map((s) => s.value)) };
  const grown = sum(seriesIncrease(prev.series.get(spec.metric), current, filter).map((s) => s.value));
  return { ...base, value: (grown / seconds) * PER_SECONDS[spec.per] };
}

/** A watched figure for people: `12.00/hour`, `42`. */
export function watchedText(w: WatchedValue): string {
  if (w.value === undefined) return '-';
  const digits = Number.isInteger(w.value) ? 0 : 2;
  return w.show === 'rate' ? `${w.value.toFixed(2)}/${w.per}` : w.value.toFixed(digits);
}
