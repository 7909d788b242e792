import type { Config } from '../config/load.js';
import { ConnectionError } from '../errors.js';
import type { Warehouse } from './warehouse.js';

/** The BigQuery adapter arrives with the Spotify pipeline (issue 3); until then opening it says so plainly. */
export async function openBigqueryWarehouse(_config: Config['warehouse']['bigquery']): Promise<Warehouse> {
  throw new ConnectionError('the BigQuery warehouse adapter is not built yet', {
    hint: 'Use the embedded DuckDB warehouse (warehouse.kind "duckdb") for now.',
  });
}
