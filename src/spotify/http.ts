import type { BuiltRequest } from 'spotify-web-api-node/src/base-request.js';
import { CancelledError, ConnectionError, type OpsErrorOptions } from '../errors.js';
import { sleep } from '../util/sleep.js';
import { tracedFetch } from '../log/trace.js';

/**
 * The HTTP side of the Spotify client: executes a request built by spotify-web-api-node's builders with `fetch`, so
 * every call takes an AbortSignal and a timeout, and retries the way Spotify asks: 429 waits `Retry-After`; 5xx and
 * network errors back off exponentially with jitter; at most `maxRetries` retries per call.
 */
export interface RetryPolicy {
  /** Retries after the first attempt (429, 5xx, network errors, timeouts). */
  maxRetries: number;
  /** First backoff step; attempt n waits baseDelayMs·2ⁿ plus up to baseDelayMs of jitter, capped at maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A 429 asking for a longer wait than this fails the call instead of sleeping through the run. */
  maxRetryAfterSeconds: number;
  /** Per-attempt timeout. */
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterSeconds: 120,
  timeoutMs: 30_000,
};

export interface HttpResult {
  status: number;
  headers: Headers;
  body: unknown;
}

/** Spotify answered with an error status (after any retries). */
export class SpotifyApiError extends ConnectionError {
  readonly status: number;
  readonly body: unknown;
  constructor(message: string, status: number, body: unknown, options: OpsErrorOptions = {}) {
    super(message, options);
    this.status = status;
    this.body = body;
  }
}

/** What Spotify said in an error body: `{error:{status,message}}` (Web API) or `{error, error_description}` (accounts). */
export function spotifyErrorText(body: unknown): string {
  if (body && typeof body === 'object' && 'error' in body) {
    const e = (body as { error: unknown; error_description?: unknown }).error;
    if (e && typeof e === 'object' && 'message' in e) return String(e.message);
    if (typeof e === 'string')
      return (body as { error_description?: unknown }).error_description
        ? `${e}: ${String((body as { error_description?: unknown }).error_description)}`
        : e;
  }
  if (typeof body === 'string' && body.trim()) return body.trim().slice(0, 200);
  return 'no details';
}

export interface SendOptions {
  method: 'GET' | 'POST';
  signal: AbortSignal;
  policy: RetryPolicy;
  /** Called once per HTTP attempt (the call counter). */
  onAttempt?: () => void;
  /** Called before each wait, for logs and tests. */
  onWait?: (ms: number, reason: string) => void;
  random?: () => number;
}

/** The full URL of a built request, with its query parameters properly encoded (the package's getURL does not encode). */
export function urlOf(request: BuiltRequest): string {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(request.getQueryParameters() ?? {})) if (v !== undefined) query.set(k, String(v));
  const qs = query.toString();
  return qs ? `${request.getURI()}?${qs}` : request.getURI();
}

async function attempt(request: BuiltRequest, options: SendOptions): Promise<HttpResult> {
  const headers = { ...(request.getHeaders() ?? {}) };
  const bodyParams = request.getBodyParameters();
  let body: string | undefined;
  if (bodyParams && options.method !== 'GET') {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(bodyParams)) if (v !== undefined) form.set(k, String(v));
    body = form.toString();
    headers['Content-Type'] ??= 'application/x-www-form-urlencoded';
  }
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.policy.timeoutMs)]);
  const response = await tracedFetch(urlOf(request), {
    method: options.method,
    headers: { Accept: 'application/json', ...headers },
    body,
    signal,
  });
  const text = await response.text();
  let parsed: unknown = text;
  if (text && (response.headers.get('content-type') ?? '').includes('json')) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

function cancelled(): CancelledError {
  return new CancelledError('Spotify call cancelled', { hint: 'The run was interrupted; run it again.' });
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), or undefined. */
export function retryAfterSeconds(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * Sends the request, retrying transient failures. Returns the final response whatever its status (a 401 or 403 is the
 * caller's to interpret); throws CancelledError when the signal fires and ConnectionError when the retries run out on
 * network errors.
 */
export async function sendWithRetry(request: BuiltRequest, options: SendOptions): Promise<HttpResult> {
  const { policy } = options;
  const random = options.random ?? Math.random;
  const transport = (req: BuiltRequest, done: (error: unknown, result?: HttpResult) => void) => {
    attempt(req, options).then((r) => done(null, r), done);
  };
  for (let retry = 0; ; retry++) {
    if (options.signal.aborted) throw cancelled();
    options.onAttempt?.();
    let result: HttpResult | undefined;
    let failure: unknown;
    try {
      result = await request.execute(transport);
    } catch (error) {
      if (options.signal.aborted) throw cancelled();
      failure = error;
    }
    const backoff =
      Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry) + Math.floor(random() * policy.baseDelayMs);
    if (result && result.status === 429) {
      const seconds = retryAfterSeconds(result.headers.get('retry-after'));
      if (seconds !== undefined && seconds > policy.maxRetryAfterSeconds) {
        throw new SpotifyApiError(
          `Spotify rate limit: it asks to wait ${seconds} s before ${request.getPath()}`,
          429,
          result.body,
          {
            hint: `That is longer than the ${policy.maxRetryAfterSeconds} s opsctl waits; run again later (the app's rolling 30-second quota is exhausted).`,
          },
        );
      }
      if (retry >= policy.maxRetries) return result;
      const ms = seconds !== undefined ? seconds * 1000 : backoff;
      options.onWait?.(ms, `429 Retry-After ${seconds ?? '(none)'}`);
      await sleep(ms, options.signal, cancelled);
      continue;
    }
    if (result && result.status < 500) return result;
    if (retry >= policy.maxRetries) {
      if (result) return result;
      throw new ConnectionError(
        `cannot reach Spotify at ${request.getURI()}: ${(failure as Error)?.message ?? String(failure)} (after ${policy.maxRetries} retries)`,
        {
          hint: 'Check the network (and SPOTIFY_API_BASE_URL / SPOTIFY_ACCOUNTS_BASE_URL if set), then run again.',
          cause: failure,
        },
      );
    }
    options.onWait?.(
      backoff,
      result ? `HTTP ${result.status}` : `network error: ${(failure as Error)?.message ?? String(failure)}`,
    );
    await sleep(backoff, options.signal, cancelled);
  }
}
