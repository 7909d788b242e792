import { z } from 'zod';
import { TIB, roundUsd } from '../../src/costs/units.js';
import { UsageError } from '../../src/errors.js';
import { createBigqueryClient, dryRunQuery } from '../../src/warehouse/bigquery-client.js';
import { defineOperation } from '../operation.js';

export interface CostEstimate {
  sql: string;
  bytesProcessed: number;
  bytesBilled: number;
  /** On-demand price of the bytes billed, before any free tier. */
  usd: number;
  maximumBytesBilled: number;
  withinCap: boolean;
}

/** A BigQuery dry run: the bytes the query would scan and bill, its price, and whether the cap would let it run. */
export const costsEstimate = defineOperation({
  name: 'costs.estimate',
  summary: 'Dry-run a query on BigQuery: bytes, price, and the maximumBytesBilled cap',
  input: z.object({ sql: z.string().trim().min(1, 'give the SQL to estimate') }),
  async run(ctx, input): Promise<CostEstimate> {
    if (ctx.config.warehouse.kind !== 'bigquery') {
      throw new UsageError('costs estimate needs the BigQuery warehouse: DuckDB has no dry run that reports bytes', {
        hint: 'Set OPSCTL_WAREHOUSE=bigquery and BIGQUERY_PROJECT_ID (and credentials) to estimate against BigQuery.',
      });
    }
    const bq = ctx.config.warehouse.bigquery;
    ctx.progress({ phase: 'dry run' });
    const dry = await dryRunQuery(createBigqueryClient(bq), bq, input.sql);
    return {
      sql: input.sql,
      bytesProcessed: dry.bytesProcessed,
      bytesBilled: dry.bytesBilled,
      usd: roundUsd((dry.bytesBilled / TIB) * ctx.config.costs.prices.queryPerTiB),
      maximumBytesBilled: dry.maximumBytesBilled,
      withinCap: dry.withinCap,
    };
  },
});
