import { z } from 'zod';
import { NotFoundError } from '../../src/errors.js';
import { getQuarantined, type QuarantinedRecord } from '../../src/state/quarantine.js';
import { defineOperation } from '../operation.js';

/** One quarantined record with its whole payload. */
export const quarantineShow = defineOperation({
  name: 'quarantine.show',
  summary: 'One quarantined record: pipeline, table, run, reason and the whole payload',
  input: z.strictObject({ id: z.number().int().positive() }),
  async run(ctx, input): Promise<QuarantinedRecord> {
    const record = await getQuarantined(await ctx.state(), input.id);
    if (!record)
      throw new NotFoundError(`quarantined record ${input.id} does not exist`, {
        hint: 'List them with `opsctl quarantine list` (a purge or state.retention may have removed it).',
      });
    return record;
  },
});
