import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Config } from '../config/load.js';
import { parseDuration } from '../config/sections/common.js';
import type { LoadtestProfile } from '../config/sections/loadtest.js';
import { NotFoundError, UsageError } from '../errors.js';
import type { LoadModel } from './types.js';
import { parseThreshold, withErrorRateGate, type Threshold } from './thresholds.js';

/** What the caller asked for on top of (or instead of) a profile: the CLI flags, the pane, the demo. */
export interface RunRequest {
  url?: string | undefined;
  profile?: string | undefined;
  method?: string | undefined;
  headers?: Record<string, string> | undefined;
  body?: string | undefined;
  bodyFile?: string | undefined;
  timeout?: string | undefined;
  model?: 'closed' | 'open' | undefined;
  connections?: number | undefined;
  requests?: number | undefined;
  duration?: string | undefined;
  rate?: number | undefined;
  warmup?: string | undefined;
  thresholds?: string[] | undefined;
  maxErrorRate?: number | undefined;
}

export interface ResolvedPlan {
  profile: string | null;
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  timeoutMs: number;
  warmupMs: number;
  model: LoadModel;
  thresholds: Threshold[];
}

export const DEFAULT_DURATION_MS = 10_000;
/** Every run is bounded; these caps keep a typo from becoming a day-long flood. */
export const MAX_DURATION_MS = 3_600_000;

/** Header values that are credentials are masked by the one redaction module (src/log/redact.ts). */
export { redactHeaders } from '../log/redact.js';

function duration(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms === undefined)
    throw new UsageError(`${what} "${value}" is not a duration`, { hint: 'Write durations like 30s, 2m or 500ms.' });
  return ms;
}

/** Profile values, overridden by the request's; validated into one bounded plan. */
export function resolvePlan(config: Config, request: RunRequest, cwd = process.cwd()): ResolvedPlan {
  const profile = findProfile(config, request.profile);
  const url = targetUrl(request.url ?? profile?.url);
  const headers: Record<string, string> = { ...(profile?.headers ?? {}), ...(request.headers ?? {}) };
  const body = requestBody(config, request, profile, cwd);
  if (body && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['content-type'] = looksLikeJson(body) ? 'application/json' : 'application/octet-stream';
  }
  const model = loadModel(request, profile);
  const timeoutMs = duration(request.timeout, '--timeout') ?? duration(profile?.timeout, 'timeout') ?? 10_000;
  const warmupMs = duration(request.warmup, '--warmup') ?? duration(profile?.warmup, 'warmup') ?? 1000;
  const thresholds = withErrorRateGate(
    mergeThresholds((profile?.thresholds ?? []).map(parseThreshold), (request.thresholds ?? []).map(parseThreshold)),
    request.maxErrorRate ?? profile?.maxErrorRate,
  );
  return {
    profile: request.profile ?? null,
    url: url.toString(),
    method: (request.method ?? profile?.method ?? 'GET').toUpperCase(),
    headers,
    body,
    timeoutMs,
    warmupMs,
    model,
    thresholds,
  };
}

function findProfile(config: Config, name: string | undefined): LoadtestProfile | undefined {
  if (!name) return undefined;
  const profile = config.loadtest.profiles[name];
  if (profile) return profile;
  const names = Object.keys(config.loadtest.profiles);
  throw new NotFoundError(`load-test profile "${name}" is not in the config`, {
    hint: names.length
      ? `Profiles: ${names.join(', ')}.`
      : 'Add one under loadtest.profiles in opsctl.config.json, or give a URL.',
  });
}

function targetUrl(url: string | undefined): URL {
  if (!url)
    throw new UsageError('give a URL or --profile <name>', {
      hint: 'e.g. opsctl loadtest run http://127.0.0.1:8080/health -d 10s',
    });
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`"${url}" is not a URL`, {
      hint: 'Give a full URL such as http://127.0.0.1:8080/api/recommendations.',
    });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new UsageError(`"${url}" is not an http(s) URL`, {
      hint: 'Only HTTP and HTTPS services can be load-tested.',
    });
  return parsed;
}

/** The request's body or body file (relative to the working directory) wins over the profile's (relative to the config). */
function requestBody(
  config: Config,
  request: RunRequest,
  profile: LoadtestProfile | undefined,
  cwd: string,
): Buffer | undefined {
  if (request.bodyFile !== undefined)
    return readBody(isAbsolute(request.bodyFile) ? request.bodyFile : resolve(cwd, request.bodyFile));
  if (request.body !== undefined) return Buffer.from(request.body);
  if (profile?.bodyFile !== undefined)
    return readBody(isAbsolute(profile.bodyFile) ? profile.bodyFile : resolve(config.baseDir, profile.bodyFile));
  if (profile?.body !== undefined) return Buffer.from(profile.body);
  return undefined;
}

/**
 * Closed or open, with its connections and bounds. A request count given by the caller drops the profile's duration
 * and the other way round; an open run bounded by a count only lasts as long as the count takes at the rate, plus 1 s.
 */
function loadModel(request: RunRequest, profile: LoadtestProfile | undefined): LoadModel {
  const rate = request.rate ?? (request.model === 'closed' ? undefined : profile?.rate);
  const kind = request.model ?? (request.rate !== undefined ? 'open' : (profile?.model ?? 'closed'));
  if (kind === 'open' && !rate)
    throw new UsageError('the open model needs a rate', { hint: 'Give --rate <requests per second>.' });
  const connections = request.connections ?? profile?.connections ?? 10;
  const requests = request.requests ?? (request.duration !== undefined ? undefined : profile?.requests);
  let durationMs =
    duration(request.duration, '--duration') ??
    (request.requests !== undefined ? undefined : duration(profile?.duration, 'duration'));
  if (!requests && !durationMs) durationMs = DEFAULT_DURATION_MS;
  if (durationMs !== undefined && (durationMs < 100 || durationMs > MAX_DURATION_MS)) {
    throw new UsageError(`a run lasts between 100ms and 1h, not ${durationMs} ms`, {
      hint: 'Give -d 30s, for example.',
    });
  }
  if (requests !== undefined && (!Number.isInteger(requests) || requests < 1))
    throw new UsageError('-n takes a positive number of requests', { hint: 'e.g. -n 1000' });
  if (kind === 'open' && requests && !durationMs)
    durationMs = Math.min(MAX_DURATION_MS, Math.ceil((requests / rate!) * 1000) + 1000);
  if (!Number.isInteger(connections) || connections < 1 || connections > 1000)
    throw new UsageError('-c takes 1 to 1000 connections', { hint: 'e.g. -c 100' });
  const bounds = { ...(requests ? { requests } : {}), ...(durationMs ? { durationMs } : {}) };
  return kind === 'open'
    ? { kind: 'open', rate: rate!, connections, ...bounds }
    : { kind: 'closed', connections, ...bounds };
}

/** A threshold given on the command line replaces the profile's on the same metric and comparison direction. */
function mergeThresholds(fromProfile: Threshold[], fromRequest: Threshold[]): Threshold[] {
  const key = (t: Threshold) => `${t.metric}:${t.op.replace('=', '')}:${t.percent}`;
  const overridden = new Set(fromRequest.map(key));
  return [...fromProfile.filter((t) => !overridden.has(key(t))), ...fromRequest];
}

function readBody(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UsageError(`cannot read the body file ${path}: ${(error as Error).message}`, {
      hint: "Check the path given to --body-file (or the profile's bodyFile).",
    });
  }
}

function looksLikeJson(body: Buffer): boolean {
  const s = body.toString('utf8').trim();
  if (!/^[[{]/.test(s)) return false;
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}
