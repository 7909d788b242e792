import { z } from 'zod';

/**
 * BigQuery cost report and alerts. Prices are Google's on-demand list prices in USD for the US multi-region as of this
 * release (queries $6.25 per TiB billed; logical storage $0.02 per GiB-month active, $0.01 long-term); the free tier is
 * 1 TiB of queries and 10 GiB of storage a month. Other regions and contracts differ: set yours.
 */
export const costsSchema = z
  .strictObject({
    /** INFORMATION_SCHEMA region qualifier, e.g. `region-us`, `region-eu`, `region-europe-west1`. */
    region: z
      .string()
      .regex(/^region-[a-z0-9-]+$/, { message: 'must look like region-us or region-europe-west1' })
      .default('region-us'),
    prices: z
      .strictObject({
        queryPerTiB: z.number().nonnegative().default(6.25),
        storageActivePerGiB: z.number().nonnegative().default(0.02),
        storageLongTermPerGiB: z.number().nonnegative().default(0.01),
      })
      .prefault({}),
    freeTier: z
      .strictObject({
        queryTiB: z.number().nonnegative().default(1),
        storageGiB: z.number().nonnegative().default(10),
      })
      .prefault({}),
    /** Monthly budget in USD (the seeds keep it at 1 USD). */
    budgetUsd: z.number().nonnegative().default(1),
    /** Alert levels, percent of the budget and of the free tier, crossed by the month-end projection. */
    levels: z.array(z.number().positive().max(1000)).min(1).default([50, 90, 100]),
    /** `costs check` fails (exit 1) when the projection crosses this level or a higher one. */
    failAtPercent: z.number().positive().default(100),
    /** Days of daily usage the report shows by default. */
    days: z.number().int().min(1).max(180).default(30),
  })
  .prefault({});
