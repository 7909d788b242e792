import { z } from 'zod';
import { durationSchema, nameSchema } from './common.js';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * A threshold such as `p95<150ms`, `rps>200`, `errors<1%`, `non2xx=0` (grammar in src/loadtest/thresholds.ts; the
 * schema checks the shape so a typo is a config error, not a silently ignored gate).
 */
export const THRESHOLD_PATTERN =
  /^\s*(p50|p90|p95|p99|p999|p99\.9|max|mean|rps|errors|non2xx|timeouts?|refused|resets?)\s*(<=|>=|==|<|>|=)\s*(\d+(?:\.\d+)?)\s*(ms|s|us|µs|%)?\s*$/i;
export const thresholdSchema = z
  .string()
  .regex(THRESHOLD_PATTERN, { message: 'must look like p95<150ms, rps>200, errors<1% or non2xx=0' });

/**
 * A load-test profile. `model: closed` keeps `connections` sockets busy (like ab -c); `model: open` sends `rate`
 * requests per second whatever the server does and measures latency from each request's intended send time. Every
 * run is bounded: by `requests`, by `duration`, or (when neither is set) by 10 s.
 */
export const loadtestProfileSchema = z
  .strictObject({
    url: z
      .string()
      .url()
      .refine((u) => /^https?:/.test(u), { message: 'must be an http:// or https:// URL' }),
    description: z.string().optional(),
    method: z.enum(HTTP_METHODS).default('GET'),
    /** Request headers. Authorization, Cookie and *-Key/*-Token values are never printed or stored. */
    headers: z
      .record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { message: 'must be an HTTP header name' }), z.string())
      .default({}),
    body: z.string().optional(),
    /** A file sent as the body (like ab -p payload.json); relative to the config file. */
    bodyFile: z.string().optional(),
    timeout: durationSchema.default('10s'),
    model: z.enum(['closed', 'open']).default('closed'),
    connections: z.number().int().min(1).max(1000).default(10),
    requests: z.number().int().min(1).max(10_000_000).optional(),
    duration: durationSchema.optional(),
    /** Open model: requests per second. */
    rate: z.number().positive().max(1_000_000).optional(),
    /** Sent before the measured run, on the same connections, and not counted. */
    warmup: durationSchema.default('1s'),
    thresholds: z.array(thresholdSchema).default([]),
    /**
     * A run whose error rate (transport errors plus non-2xx, percent of requests) is over this fails even without an
     * errors threshold; 100 turns the gate off. An `errors<N%` threshold replaces it.
     */
    maxErrorRate: z.number().min(0).max(100).default(50),
    /** `opsctl validate` fails unless the last run of this profile passed its thresholds. */
    gate: z.boolean().default(false),
  })
  .refine((p) => !(p.body !== undefined && p.bodyFile !== undefined), {
    message: 'set body or bodyFile, not both',
    path: ['bodyFile'],
  })
  .refine((p) => p.model !== 'open' || p.rate !== undefined, {
    message: 'an open-model profile needs rate (requests per second)',
    path: ['rate'],
  });

export const loadtestSchema = z
  .strictObject({
    profiles: z.record(nameSchema, loadtestProfileSchema).prefault({}),
    /** compare: relative changes smaller than this (percent) are "same within noise", whatever the spread says. */
    noisePercent: z.number().min(0).max(100).default(5),
  })
  .prefault({});

export type LoadtestProfile = z.output<typeof loadtestProfileSchema>;
