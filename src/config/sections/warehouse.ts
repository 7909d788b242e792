import { z } from 'zod';

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
    labels: z.record(z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/), z.string().max(63)).prefault({}),
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
