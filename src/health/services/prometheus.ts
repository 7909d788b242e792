import parsePrometheusTextFormat from 'parse-prometheus-text-format';

/** One series of a counter, gauge or untyped metric. */
export interface Series {
  labels: Record<string, string>;
  value: number;
}

/** One series of a histogram: cumulative bucket counts by upper bound (ascending, +Inf last), count and sum. */
export interface HistogramSeries {
  labels: Record<string, string>;
  buckets: Array<{ le: number; count: number }>;
  count: number;
  sum: number;
}

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

/** One scrape of a Prometheus text-format endpoint, taken at `at` (epoch ms). */
export interface Scrape {
  at: number;
  types: Map<string, MetricType>;
  /** Counters, gauges and untyped samples (histogram and summary parts are not here). */
  series: Map<string, Series[]>;
  histograms: Map<string, HistogramSeries[]>;
}

const TYPE_LINE = /^#\s*TYPE\s+([a-zA-Z_:][a-zA-Z0-9_:]*)\s+(counter|gauge|histogram|summary|untyped)\s*$/i;

/**
 * Parses the Prometheus text exposition format with parse-prometheus-text-format (lexing: HELP and TYPE lines, quoted
 * label values with escapes, timestamps, NaN and ±Inf).
 *
 * That parser folds every series of a histogram into one and drops its labels (and _count/_sum when labelled), so a
 * labelled histogram such as prom-client's would lose all but its last series. Histogram and summary families are
 * therefore handed to it as untyped: each `_bucket`, `_count` and `_sum` line then keeps its labels, and the series are
 * rebuilt here, grouped by their labels without `le`.
 */
export function parseExposition(text: string, at: number = Date.now()): Scrape {
  const types = new Map<string, MetricType>();
  const lines = text.split('\n').map((line) => {
    const match = TYPE_LINE.exec(line.trim());
    if (!match) return line;
    const type = match[2]!.toLowerCase() as MetricType;
    types.set(match[1]!, type);
    return type === 'histogram' || type === 'summary' ? `# TYPE ${match[1]} untyped` : line;
  });
  const series = new Map<string, Series[]>();
  for (const family of parsePrometheusTextFormat(lines.join('\n'))) {
    const list = series.get(family.name) ?? [];
    for (const sample of family.metrics) {
      if (sample.value === undefined) continue;
      list.push({ labels: sample.labels ?? {}, value: parseValue(sample.value) });
    }
    series.set(family.name, list);
  }
  const histograms = new Map<string, HistogramSeries[]>();
  for (const [name, type] of types) {
    if (type !== 'histogram') continue;
    histograms.set(name, assembleHistogram(series, name));
    for (const suffix of ['_bucket', '_count', '_sum']) series.delete(`${name}${suffix}`);
  }
  for (const [name, type] of types) {
    if (type !== 'summary') continue;
    // Summaries keep their _count and _sum as series (a request counter may be one); quantiles are per process.
    series.delete(name);
  }
  return { at, types, series, histograms };
}

function parseValue(text: string): number {
  const t = text.trim();
  if (t === '+Inf' || t === 'Inf') return Infinity;
  if (t === '-Inf') return -Infinity;
  return Number(t);
}

function labelKey(labels: Record<string, string>, without?: string): string {
  return JSON.stringify(
    Object.keys(labels)
      .filter((k) => k !== without)
      .sort()
      .map((k) => [k, labels[k]]),
  );
}

function withoutLabel(labels: Record<string, string>, name: string): Record<string, string> {
  const { [name]: _dropped, ...rest } = labels;
  return rest;
}

function assembleHistogram(series: Map<string, Series[]>, name: string): HistogramSeries[] {
  const byKey = new Map<string, HistogramSeries>();
  const entry = (labels: Record<string, string>) => {
    const key = labelKey(labels);
    let h = byKey.get(key);
    if (!h) {
      h = { labels, buckets: [], count: 0, sum: 0 };
      byKey.set(key, h);
    }
    return h;
  };
  for (const s of series.get(`${name}_bucket`) ?? []) {
    const le = s.labels.le;
    if (le === undefined) continue;
    entry(withoutLabel(s.labels, 'le')).buckets.push({ le: parseValue(le), count: s.value });
  }
  for (const s of series.get(`${name}_count`) ?? []) entry(s.labels).count = s.value;
  for (const s of series.get(`${name}_sum`) ?? []) entry(s.labels).sum = s.value;
  for (const h of byKey.values()) h.buckets.sort((a, b) => a.le - b.le);
  return [...byKey.values()];
}

/** Whether a series carries every one of `wanted`'s label values. */
export function labelsMatch(labels: Record<string, string>, wanted: Record<string, string>): boolean {
  return Object.entries(wanted).every(([k, v]) => labels[k] === v);
}

/**
 * The q-quantile (0..1) of cumulative buckets, as Prometheus's histogram_quantile computes it: linear interpolation
 * inside the bucket that holds the rank; the lowest bucket starts at 0; a rank in the +Inf bucket answers the highest
 * finite bound. Undefined when there were no observations.
 */
export function histogramQuantile(
  q: number,
  buckets: ReadonlyArray<{ le: number; count: number }>,
): number | undefined {
  if (buckets.length === 0) return undefined;
  const total = buckets.at(-1)!.count;
  if (!(total > 0)) return undefined;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return prevLe;
      const inBucket = b.count - prevCount;
      if (inBucket <= 0) return b.le;
      return prevLe + (b.le - prevLe) * ((rank - prevCount) / inBucket);
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}
