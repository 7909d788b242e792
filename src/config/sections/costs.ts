import { z } from 'zod';

/** BigQuery budget and free tier; the costs issue adds prices and levels. */
export const costsSchema = z
  .strictObject({
    budgetUsd: z.number().nonnegative().default(1),
  })
  .prefault({});
