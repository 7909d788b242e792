import { z } from 'zod';
import { durationSchema, nameSchema, parseDuration } from './common.js';

/** A size such as `7GB`, `512MiB`, `1.5GiB` (decimal and binary units), stored as bytes. */
export const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/;
const SIZE_UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
};

export function parseSize(value: string): number | undefined {
  const match = SIZE_PATTERN.exec(value.trim());
  return match ? Math.round(Number(match[1]) * SIZE_UNITS[match[2]!]!) : undefined;
}

const sizeSchema = z
  .string()
  .refine((v) => parseSize(v) !== undefined, { message: 'must be a size like 7GB, 512MiB or 1.5GiB' });

const httpUrl = z
  .string()
  .url({ message: 'must be an http:// or https:// URL' })
  .refine((u) => /^https?:\/\//i.test(u), { message: 'must be an http:// or https:// URL' });

/** Prometheus metric names (and label names, without the colon). */
const metricName = z
  .string()
  .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, { message: 'must be a Prometheus metric name like http_requests_total' });

/** One health endpoint: the URL, the status it must answer with and, optionally, text its body must contain. */
const endpointSchema = z.preprocess(
  // A bare URL is the common case: { url } with the default status.
  (v) => (typeof v === 'string' ? { url: v } : v),
  z.strictObject({
    url: httpUrl,
    /** Accepted status codes (default 200). */
    status: z
      .union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)])
      .default(200)
      .transform((s) => (Array.isArray(s) ? s : [s])),
    /** Text the body must contain (`"status":"ok"`); a value between slashes is a regular expression. */
    body: z
      .string()
      .min(1)
      .refine((b) => !isRegexText(b) || compiles(b), { message: 'is not a valid /regular expression/' })
      .optional(),
  }),
);

function isRegexText(text: string): boolean {
  return text.length > 2 && text.startsWith('/') && text.endsWith('/');
}

function compiles(text: string): boolean {
  try {
    new RegExp(text.slice(1, -1));
    return true;
  } catch {
    return false;
  }
}

/** The body matcher of an endpoint: a substring, or a /regex/. */
export function bodyMatches(expected: string, body: string): boolean {
  return isRegexText(expected) ? new RegExp(expected.slice(1, -1)).test(body) : body.includes(expected);
}

/** A counter or gauge the service exports, watched by name (the invoice bot's invoices per hour, active users). */
const watchSchema = z
  .strictObject({
    metric: metricName,
    /** Only the series with these label values (summed otherwise). */
    labels: z.record(z.string(), z.string()).default({}),
    /** How it is shown: a counter's rate (default for counters) or the value (default for gauges). */
    show: z.enum(['rate', 'value']).optional(),
    /** A rate's unit. */
    per: z.enum(['second', 'minute', 'hour']).default('second'),
    /** Crossed when the shown figure is above this. */
    above: z.number().optional(),
    /** Crossed when the shown figure is below this. */
    below: z.number().optional(),
    /** How faces name it (default: the metric's name). */
    label: z.string().min(1).optional(),
  })
  .refine((w) => !(w.above !== undefined && w.below !== undefined && w.below > w.above), {
    message: 'below must not be larger than above',
    path: ['below'],
  });

/**
 * Thresholds. The defaults are the seeds' alerts: p95 > 2 s, p99 > 2 s, error rate > 1 %, CPU > 90 % for 5 min,
 * RSS > 7 GB. Throughput below a floor (the recommendation API's 100 req/s) is off unless `minRps` is set, since an idle
 * service would cross it; `null` turns a default off.
 */
const thresholdsSchema = z
  .strictObject({
    minRps: z.number().nonnegative().nullable().default(null),
    p50: durationSchema.nullable().default(null),
    p95: durationSchema.nullable().default('2s'),
    p99: durationSchema.nullable().default('2s'),
    /** Percent of requests that are errors. */
    errorRate: z.number().min(0).max(100).nullable().default(1),
    /** Percent of one core (process_cpu_seconds_total). */
    cpu: z.number().min(0).nullable().default(90),
    /** How long CPU must stay above `cpu` to count as crossed (watch, console and bot rounds keep that history). */
    cpuFor: durationSchema.default('5m'),
    /** process_resident_memory_bytes. */
    rss: sizeSchema.nullable().default('7GB'),
  })
  .prefault({});

const metricsSchema = z.strictObject({
  url: httpUrl,
  /** The request-duration histogram (default: the first histogram named *_duration_seconds). */
  latency: metricName.optional(),
  /** The request counter (default: *_requests_total, else the latency histogram's _count). */
  requests: metricName.optional(),
  /** Which requests are errors: the label holding the status and a pattern its value matches. */
  errors: z
    .strictObject({
      /** Default: the first of status, code, status_code the request series carry. */
      label: z
        .string()
        .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { message: 'must be a label name' })
        .optional(),
      /** A regular expression over the label's value (default 5xx). */
      match: z
        .string()
        .refine((m) => compiles(`/${m}/`), { message: 'must be a regular expression like ^5..$' })
        .default('^5..$'),
    })
    .prefault({}),
  /** A one-off check (no previous scrape to compare with) scrapes twice this far apart. */
  window: durationSchema.default('1s'),
});

export const serviceSchema = z
  .strictObject({
    description: z.string().optional(),
    /** How bad it is when the service is down, on the triage board (`opsctl status` exits 1 only on critical). */
    severity: z.enum(['critical', 'warning']).default('critical'),
    /** Health endpoints (`/health`, `/health/live`, `/health/ready`): a URL, or { url, status, body }. */
    health: z.array(endpointSchema).default([]),
    /** Bound on each request (health and metrics), each on its own. */
    timeout: durationSchema.default('2s'),
    /** Time between two rounds in `opsctl health --watch`, the console and the bot. */
    interval: durationSchema.default('15s'),
    /** Prometheus text-format metrics. */
    metrics: metricsSchema.optional(),
    thresholds: thresholdsSchema,
    watch: z.array(watchSchema).default([]),
  })
  .refine((s) => s.health.length > 0 || s.metrics !== undefined, {
    message: 'a service needs health URLs, a metrics URL, or both',
    path: ['health'],
  })
  .refine((s) => (parseDuration(s.metrics?.window ?? '0ms') ?? 0) < (parseDuration(s.interval) ?? 0), {
    message: 'must be shorter than the service interval',
    path: ['metrics', 'window'],
  });

export const servicesSchema = z.record(nameSchema, serviceSchema).prefault({});

export type ServiceConfig = z.output<typeof serviceSchema>;
export type ServiceEndpoint = ServiceConfig['health'][number];
export type WatchSpec = ServiceConfig['watch'][number];
