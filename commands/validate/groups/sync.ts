import { run, type ResultFor } from '../../catalog.js';
import { isOpsError } from '../../../src/errors.js';
import { allSyncTables } from '../../../src/pipelines/sync/tables.js';
import { fail, pass, type CheckGroup } from '../types.js';

/**
 * The sync before a deploy: each target table has the configured columns, types and primary key (`sync.check`).
 * A missing table fails the gate: `opsctl sync setup` creates it.
 */
export const syncChecks: CheckGroup = {
  id: 'sync',
  title: 'Sync',
  async run({ ctx, config, emit }) {
    if (allSyncTables(config).length === 0) {
      emit(pass('tables', 'no sync tables configured'));
      return;
    }
    let result: ResultFor<'sync.check'>;
    try {
      result = await run('sync.check', ctx, {});
    } catch (error) {
      emit(
        fail(
          'schema',
          (error as Error).message,
          isOpsError(error) && error.hint ? error.hint : 'Run `opsctl sync check` to see why.',
        ),
      );
      return;
    }
    for (const t of result.targets) {
      if (t.error) {
        emit(
          fail(
            `target ${t.target}`,
            t.error,
            `Check targets.${t.target}; the sync pipelines ${t.pipelines.join(', ')} load into it.`,
          ),
        );
        continue;
      }
      for (const x of t.tables) {
        const name = `${x.pipeline}/${x.table}`;
        if (x.status === 'ok') emit(pass(name, `columns, types and primary key match on ${t.target}`));
        else if (x.status === 'missing')
          emit(fail(name, x.problems.join('; '), 'Run `opsctl sync setup` to create it.'));
        else
          emit(
            fail(
              name,
              x.problems.join('; '),
              `Alter the table on ${t.target} or fix pipelines.${x.pipeline}.tables.${x.table} in the config.`,
            ),
          );
      }
    }
  },
};
