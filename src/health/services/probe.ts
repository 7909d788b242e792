import { parseDuration } from '../../config/sections/common.js';
import { bodyMatches, parseSize, type ServiceConfig, type ServiceEndpoint } from '../../config/sections/services.js';
import { errorMessage } from '../../errors.js';
import { bytes, duration, latency, percent } from '../../format.js';
import { redactUrlPasswords } from '../../log/redact.js';
import { sleep } from '../../util/sleep.js';
import { parseExposition, type Scrape } from './prometheus.js';
import { deriveVitals, watchedText, type ServiceVitals } from './vitals.js';
import { tracedFetch } from '../../log/trace.js';

/** What one health endpoint answered. */
export interface EndpointResult {
  url: string;
  ok: boolean;
  status?: number;
  latencyMs: number;
  /** Why it is not ok: refused, timed out, wrong status, body without the expected text. */
  error?: string;
}

/** A threshold a service crossed, e.g. p95 3.10 s > 2 s. */
export interface Crossing {
  /** Stable per service and threshold: `p95`, `errorRate`, `watch:jewelry_active_users`. */
  key: string;
  value: number;
  limit: number;
  /** One line for people: `p95 3,100 ms > 2,000 ms`. */
  text: string;
}

export interface ServiceReport {
  /** Down when a health endpoint failed (or the metrics, for a service that has only metrics). */
  up: boolean;
  endpoints: EndpointResult[];
  metricsUrl?: string;
  metricsError?: string;
  vitals?: ServiceVitals;
  crossed: Crossing[];
  /** Thresholds on their way to crossing (CPU high, but not yet for cpuFor). */
  pending: string[];
}

/** What a service's previous rounds left: its last scrape and since when its CPU has been above the limit. */
export class ServiceMemory {
  private readonly scrapes = new Map<string, Scrape>();
  private readonly cpuHigh = new Map<string, number>();

  lastScrape(key: string): Scrape | undefined {
    return this.scrapes.get(key);
  }

  remember(key: string, scrape: Scrape): void {
    this.scrapes.set(key, scrape);
  }

  /** Since when CPU has been above the limit (now if it just went above); forgets it when CPU is below. */
  cpuAboveSince(key: string, above: boolean, now: number): number | undefined {
    if (!above) {
      this.cpuHigh.delete(key);
      return undefined;
    }
    const since = this.cpuHigh.get(key) ?? now;
    this.cpuHigh.set(key, since);
    return since;
  }

  clear(): void {
    this.scrapes.clear();
    this.cpuHigh.clear();
  }
}

/** The process's memory of services: `opsctl health --watch`, the console and the bot compare each round with the last. */
export const serviceMemory = new ServiceMemory();

export interface ProbeServiceOptions {
  signal?: AbortSignal;
  memory?: ServiceMemory;
}

const ms = (text: string) => parseDuration(text) ?? 0;

/** One request bounded by the service's own timeout (and the caller's signal). */
async function get(url: string, timeoutMs: number, signal?: AbortSignal): Promise<{ status: number; body: string }> {
  const bound = AbortSignal.timeout(timeoutMs);
  try {
    const response = await tracedFetch(url, {
      signal: signal ? AbortSignal.any([signal, bound]) : bound,
      headers: { accept: 'text/plain, application/json;q=0.9, */*;q=0.5' },
      redirect: 'follow',
    });
    return { status: response.status, body: await response.text() };
  } catch (error) {
    if (bound.aborted && !signal?.aborted) throw new Error(`no answer within ${duration(timeoutMs)}`);
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code === 'ECONNREFUSED') throw new Error('connection refused');
    if (cause?.code === 'UND_ERR_SOCKET') throw new Error('connection closed by the service');
    throw new Error(cause?.message ?? errorMessage(error));
  }
}

async function checkEndpoint(endpoint: ServiceEndpoint, timeoutMs: number, signal?: AbortSignal) {
  const started = performance.now();
  const url = redactUrlPasswords(endpoint.url);
  try {
    const { status, body } = await get(endpoint.url, timeoutMs, signal);
    const latencyMs = Math.round(performance.now() - started);
    if (!endpoint.status.includes(status))
      return {
        url,
        ok: false,
        status,
        latencyMs,
        error: `answered ${status}, expected ${endpoint.status.join(' or ')}`,
      };
    if (endpoint.body !== undefined && !bodyMatches(endpoint.body, body))
      return { url, ok: false, status, latencyMs, error: `body does not contain ${endpoint.body}` };
    return { url, ok: true, status, latencyMs };
  } catch (error) {
    return { url, ok: false, latencyMs: Math.round(performance.now() - started), error: errorMessage(error) };
  }
}

async function scrape(url: string, timeoutMs: number, signal?: AbortSignal): Promise<Scrape> {
  const { status, body } = await get(url, timeoutMs, signal);
  if (status !== 200) throw new Error(`metrics answered ${status}`);
  try {
    return parseExposition(body, Date.now());
  } catch (error) {
    throw new Error(`metrics are not in the Prometheus text format: ${errorMessage(error)}`);
  }
}

/**
 * Probes a service: every health endpoint at once, and its metrics. The metrics are compared with the previous round's
 * scrape when there is a recent one (within three intervals); otherwise they are scraped twice, `metrics.window` apart.
 */
export async function probeService(
  name: string,
  service: ServiceConfig,
  options: ProbeServiceOptions = {},
): Promise<ServiceReport> {
  const memory = options.memory ?? serviceMemory;
  const timeoutMs = ms(service.timeout);
  const [endpoints, metrics] = await Promise.all([
    Promise.all(service.health.map((e) => checkEndpoint(e, timeoutMs, options.signal))),
    service.metrics ? readMetrics(name, service, memory, timeoutMs, options.signal) : undefined,
  ]);
  const report: ServiceReport = {
    up: endpoints.every((e) => e.ok) && (service.health.length > 0 || metrics?.vitals !== undefined),
    endpoints,
    crossed: [],
    pending: [],
  };
  if (service.metrics) report.metricsUrl = redactUrlPasswords(service.metrics.url);
  if (metrics?.error) report.metricsError = metrics.error;
  if (metrics?.vitals) {
    report.vitals = metrics.vitals;
    judge(name, service, metrics.vitals, memory, report);
  }
  return report;
}

async function readMetrics(
  name: string,
  service: ServiceConfig,
  memory: ServiceMemory,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<{ vitals?: ServiceVitals; error?: string }> {
  const metrics = service.metrics!;
  const key = `${name} ${metrics.url}`;
  try {
    let previous = memory.lastScrape(key);
    if (!previous || Date.now() - previous.at > 3 * ms(service.interval)) {
      previous = await scrape(metrics.url, timeoutMs, signal);
      await sleep(ms(metrics.window), signal);
    }
    const current = await scrape(metrics.url, timeoutMs, signal);
    memory.remember(key, current);
    return { vitals: deriveVitals(previous, current, metrics, service.watch) };
  } catch (error) {
    if (signal?.aborted) throw error;
    return { error: errorMessage(error) };
  }
}

function judge(name: string, service: ServiceConfig, v: ServiceVitals, memory: ServiceMemory, report: ServiceReport) {
  const t = service.thresholds;
  const cross = (key: string, value: number, limit: number, text: string) =>
    report.crossed.push({ key, value, limit, text });
  const latencyLimit = (key: 'p50' | 'p95' | 'p99', value: number | undefined, limit: string | null) => {
    if (value === undefined || limit === null) return;
    const limitMs = ms(limit);
    if (value > limitMs) cross(key, value, limitMs, `${key} ${latency(value)} > ${latency(limitMs)}`);
  };
  latencyLimit('p50', v.p50Ms, t.p50);
  latencyLimit('p95', v.p95Ms, t.p95);
  latencyLimit('p99', v.p99Ms, t.p99);
  if (t.errorRate !== null && v.errorRate !== undefined && v.errorRate > t.errorRate)
    cross('errorRate', v.errorRate, t.errorRate, `error rate ${percent(v.errorRate)} > ${percent(t.errorRate)}`);
  if (t.minRps !== null && v.rps !== undefined && v.rps < t.minRps)
    cross('minRps', v.rps, t.minRps, `throughput ${v.rps.toFixed(1)} req/s < ${t.minRps} req/s`);
  const rssLimit = t.rss === null ? undefined : parseSize(t.rss);
  if (rssLimit !== undefined && v.rssBytes !== undefined && v.rssBytes > rssLimit)
    cross('rss', v.rssBytes, rssLimit, `memory ${bytes(v.rssBytes)} > ${bytes(rssLimit)}`);
  if (t.cpu !== null && v.cpuPercent !== undefined) {
    const now = Date.now();
    const since = memory.cpuAboveSince(`${name} cpu`, v.cpuPercent > t.cpu, now);
    if (since !== undefined) {
      // The window itself counts: a one-off check has seen the CPU high for that long.
      const heldMs = now - since + v.windowMs;
      const text = `CPU ${percent(v.cpuPercent)} > ${percent(t.cpu)} for ${duration(heldMs)}`;
      if (heldMs >= ms(t.cpuFor)) cross('cpu', v.cpuPercent, t.cpu, text);
      else report.pending.push(`${text} (crossed at ${duration(ms(t.cpuFor))})`);
    }
  }
  for (const w of v.watched) {
    const spec = service.watch.find((x) => (x.label ?? x.metric) === w.label);
    if (w.value === undefined || !spec) continue;
    if (spec.above !== undefined && w.value > spec.above)
      cross(`watch:${w.label}`, w.value, spec.above, `${w.label} ${watchedText(w)} > ${spec.above}`);
    if (spec.below !== undefined && w.value < spec.below)
      cross(`watch:${w.label}`, w.value, spec.below, `${w.label} ${watchedText(w)} < ${spec.below}`);
  }
}
