import hdr from 'hdr-histogram-js';

/**
 * Latencies are recorded in microseconds in an HDR histogram (3 significant digits: 0.1 % resolution at any size,
 * from 1 µs to an hour), and reported in milliseconds.
 */
export type LatencyHistogram = ReturnType<typeof hdr.build>;

const HOUR_US = 3_600_000_000;

export function createHistogram(): LatencyHistogram {
  return hdr.build({
    bitBucketSize: 32,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HOUR_US,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });
}

export function recordMs(h: LatencyHistogram, ms: number): void {
  h.recordValue(Math.min(HOUR_US, Math.max(1, Math.round(ms * 1000))));
}

export interface LatencySummary {
  min: number;
  mean: number;
  stdev: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

export const PERCENTILES = ['p50', 'p90', 'p95', 'p99', 'p999'] as const;
export type PercentileKey = (typeof PERCENTILES)[number];
const PERCENTILE_VALUES: Record<PercentileKey, number> = { p50: 50, p90: 90, p95: 95, p99: 99, p999: 99.9 };

const ms = (us: number) => Math.round(us) / 1000;

export function summarize(h: LatencyHistogram): LatencySummary {
  if (h.totalCount === 0) return { min: 0, mean: 0, stdev: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 };
  const out = {
    min: ms(h.minNonZeroValue),
    mean: ms(h.mean),
    stdev: ms(h.stdDeviation),
    max: ms(h.maxValue),
  } as LatencySummary;
  for (const key of PERCENTILES) out[key] = ms(h.getValueAtPercentile(PERCENTILE_VALUES[key]));
  return out;
}

/** The histogram in HdrHistogram's compressed base64 form, so a stored run can be merged or re-read later. */
export function encodeHistogram(h: LatencyHistogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(encoded: string): LatencyHistogram {
  return hdr.decodeFromCompressedBase64(encoded, 32, false);
}
