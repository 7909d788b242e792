import { z } from 'zod';

/**
 * BigQuery's label rules (https://cloud.google.com/bigquery/docs/labels-intro#requirements): keys and values at most 63
 * characters of lowercase letters (international ones included), digits, underscores and dashes; a key starts with a
 * lowercase letter and is never empty; a value may be empty.
 */
export const BIGQUERY_LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
export const BIGQUERY_LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;

export const duckdbWarehouseSchema = z
  .strictObject({
    /** DuckDB database file; default `<OPSCTL_HOME>/warehouse.duckdb`. */
    path: z.string().min(1).optional(),
  })
  .prefault({});

export const bigqueryWarehouseSchema = z
  .strictObject({
    projectId: z.string().min(1).optional(),
    dataset: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,1023}$/, { message: 'must be a BigQuery dataset id (letters, digits, _)' })
      .default('spotify_data'),
    location: z.string().min(1).default('US'),
    /** Service-account key file (GOOGLE_APPLICATION_CREDENTIALS); unset means application default credentials. */
    keyFilename: z.string().min(1).optional(),
    /** A ready OAuth access token (BIGQUERY_ACCESS_TOKEN); short-lived, for ad-hoc runs and tests against a fake. */
    accessToken: z.string().min(1).optional(),
    /** Another REST endpoint (tests, emulators). */
    apiEndpoint: z.string().url().optional(),
    /** Every query opsctl sends is capped at this many bytes billed (BigQuery fails it without charge above). */
    maximumBytesBilled: z
      .union([z.string().regex(/^\d+$/), z.number().int().positive()])
      .transform(String)
      .default('1000000000'),
    /** Labels on every job opsctl sends, besides app=opsctl and pipeline=<name>. */
    labels: z
      .record(
        z.string().regex(BIGQUERY_LABEL_KEY, {
          message:
            'must be a BigQuery label key: 1-63 lowercase letters, digits, "_" or "-", starting with a lowercase letter (e.g. "data_platform")',
        }),
        z.string().regex(BIGQUERY_LABEL_VALUE, {
          message:
            'must be a BigQuery label value: at most 63 lowercase letters, digits, "_" or "-" (no spaces or capitals: e.g. "data-platform"); BigQuery refuses every job carrying another',
        }),
      )
      .refine((labels) => Object.keys(labels).length <= 62, {
        message: 'BigQuery allows 64 labels on a job; opsctl adds app and pipeline, so at most 62 here',
      })
      .prefault({}),
  })
  .prefault({});

export const warehouseSchema = z
  .strictObject({
    kind: z.enum(['duckdb', 'bigquery']).default('duckdb'),
    duckdb: duckdbWarehouseSchema,
    bigquery: bigqueryWarehouseSchema,
  })
  .prefault({})
  .superRefine((w, ctx) => {
    if (w.kind === 'bigquery' && !w.bigquery.projectId) {
      ctx.addIssue({
        code: 'custom',
        path: ['bigquery', 'projectId'],
        message: 'is required when warehouse.kind is "bigquery"',
        params: { hint: 'set BIGQUERY_PROJECT_ID or warehouse.bigquery.projectId' },
      });
    }
  });
