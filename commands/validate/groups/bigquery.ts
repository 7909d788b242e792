import { run } from '../../catalog.js';
import { isOpsError } from '../../../src/errors.js';
import { bytes, percent, usd } from '../../../src/format.js';
import type { BigQuery } from '@google-cloud/bigquery';
import { createBigqueryClient, dryRunQuery, type BigqueryConfig } from '../../../src/warehouse/bigquery-client.js';
import { pipelineQueries, type PipelineQuery } from '../pipeline-queries.js';
import { fail, pass, warn, type CheckGroup, type CheckOutcome } from '../types.js';

/**
 * One pipeline query dry-run (free): within the cap passes, over it fails; a table the first load has not created yet
 * is a warning, not a failure (the first `opsctl etl run` creates it).
 */
export async function dryRunCheck(client: BigQuery, bq: BigqueryConfig, q: PipelineQuery): Promise<CheckOutcome> {
  const name = `dry run ${q.name}`;
  try {
    const dry = await dryRunQuery(client, bq, q.sql, q.pipeline, q.params);
    return dry.withinCap
      ? pass(name, `${bytes(dry.bytesBilled)} billed, within the ${bytes(dry.maximumBytesBilled)} cap`)
      : fail(
          name,
          `would bill ${bytes(dry.bytesBilled)}, over the ${bytes(dry.maximumBytesBilled)} cap: BigQuery would refuse it`,
          'Add a partition filter or fewer columns, or raise warehouse.bigquery.maximumBytesBilled.',
        );
  } catch (error) {
    const cause = (error as { cause?: { code?: number; errors?: Array<{ reason?: string }> } }).cause;
    if (cause?.code === 404 || cause?.errors?.some((e) => e.reason === 'notFound')) {
      return warn(
        name,
        `not checked: ${(error as Error).message}`,
        'The first `opsctl etl run` creates the dataset and its tables; validate again after it.',
      );
    }
    return fail(
      name,
      (error as Error).message,
      isOpsError(error) && error.hint ? error.hint : 'Check the query against the dataset.',
    );
  }
}

/**
 * BigQuery before a deploy: every query the pipelines will send is dry-run (it costs nothing) and must fit under
 * maximumBytesBilled, and the month's projection must stay under the budget.
 */
export const bigqueryChecks: CheckGroup = {
  id: 'bigquery',
  title: 'BigQuery',
  async run({ ctx, config, emit }) {
    if (config.warehouse.kind !== 'bigquery') {
      emit(pass('warehouse', 'the warehouse is the embedded DuckDB: nothing is billed, no dry runs to make'));
      return;
    }
    const bq = config.warehouse.bigquery;
    const client = createBigqueryClient(bq);
    const queries = pipelineQueries(config);
    if (queries.length === 0) emit(pass('dry runs', 'no pipeline sends queries to BigQuery'));
    for (const q of queries) emit(await dryRunCheck(client, bq, q));
    try {
      const result = await run('costs.check', ctx, {});
      const text = `projected ${usd(result.projectedUsd)} of the ${usd(result.budgetUsd)} budget (${percent(result.budgetPercent)})`;
      if (result.budgetPercent >= 100)
        emit(
          fail(
            'projection',
            `${text}: over budget`,
            'Find the expensive queries with `opsctl costs`; raise costs.budgetUsd only if the spend is intended.',
          ),
        );
      else if (result.levelsCrossed.length)
        emit(
          warn(
            'projection',
            `${text}; levels crossed: ${result.levelsCrossed.map((l) => `${l.subject} ${l.level}%`).join(', ')}`,
            'See `opsctl costs` for what drives it.',
          ),
        );
      else emit(pass('projection', text));
    } catch (error) {
      emit(
        fail(
          'projection',
          (error as Error).message,
          isOpsError(error) && error.hint ? error.hint : 'Run `opsctl costs` to see why the usage cannot be read.',
        ),
      );
    }
  },
};
