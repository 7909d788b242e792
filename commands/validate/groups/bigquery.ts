import { loadOperation } from '../../catalog.js';
import { invoke } from '../../operation.js';
import type { CostsCheckResult } from '../../costs/check.js';
import { formatBytes, formatUsd } from '../../../src/costs/units.js';
import { isOpsError } from '../../../src/errors.js';
import { createBigqueryClient, dryRunQuery } from '../../../src/warehouse/bigquery-client.js';
import { pipelineQueries } from '../pipeline-queries.js';
import { fail, pass, warn, type CheckGroup } from '../types.js';

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
    for (const q of queries) {
      const name = `dry run ${q.name}`;
      try {
        const dry = await dryRunQuery(client, bq, q.sql, q.pipeline, q.params);
        emit(
          dry.withinCap
            ? pass(name, `${formatBytes(dry.bytesBilled)} billed, within the ${formatBytes(dry.maximumBytesBilled)} cap`)
            : fail(name, `would bill ${formatBytes(dry.bytesBilled)}, over the ${formatBytes(dry.maximumBytesBilled)} cap: BigQuery would refuse it`, 'Add a partition filter or fewer columns, or raise warehouse.bigquery.maximumBytesBilled.'),
        );
      } catch (error) {
        emit(fail(name, (error as Error).message, isOpsError(error) && error.hint ? error.hint : 'Check the query against the dataset.'));
      }
    }
    try {
      const result = (await invoke(await loadOperation('costs.check'), ctx, {})) as CostsCheckResult;
      const text = `projected ${formatUsd(result.projectedUsd)} of the ${formatUsd(result.budgetUsd)} budget (${result.budgetPercent.toFixed(0)}%)`;
      if (result.budgetPercent >= 100) emit(fail('projection', `${text}: over budget`, 'Find the expensive queries with `opsctl costs`; raise costs.budgetUsd only if the spend is intended.'));
      else if (result.levelsCrossed.length) emit(warn('projection', `${text}; levels crossed: ${result.levelsCrossed.map((l) => `${l.subject} ${l.level}%`).join(', ')}`, 'See `opsctl costs` for what drives it.'));
      else emit(pass('projection', text));
    } catch (error) {
      emit(fail('projection', (error as Error).message, isOpsError(error) && error.hint ? error.hint : 'Run `opsctl costs` to see why the usage cannot be read.'));
    }
  },
};
