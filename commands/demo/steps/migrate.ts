import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { invoke } from '../../operation.js';
import { MYSQL_EXAMPLES, POSTGRES_EXAMPLES } from '../../migrate/examples.js';
import { migrateDown } from '../../migrate/down.js';
import { migrateStatus } from '../../migrate/status.js';
import { migrateUp } from '../../migrate/up.js';
import type { DemoStep } from '../step.js';

function writeExamples(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}

/**
 * The seeds' migrations on the embedded PGlite target "local": up, a rollback of the newest and up again, then the
 * status. The recommendation service's MySQL files are written beside them for a MySQL target named "reco".
 */
export const migrateStep: DemoStep = {
  name: 'migrations',
  async run(ctx) {
    const dir = ctx.config.migrations.dir;
    writeExamples(join(dir, 'local'), POSTGRES_EXAMPLES);
    writeExamples(join(dir, 'reco'), MYSQL_EXAMPLES);
    const up = await invoke(migrateUp, ctx, { target: 'local' });
    const down = await invoke(migrateDown, ctx, { target: 'local', steps: 1, confirm: true });
    await invoke(migrateUp, ctx, { target: 'local' });
    const status = (await invoke(migrateStatus, ctx, { target: 'local' })).targets[0]!;
    if (status.pending.length || status.drifted.length || status.dirty)
      throw new Error(
        `target local is not fully migrated: ${status.pending.length} pending, ${status.drifted.length} drifted`,
      );
    return (
      `applied ${up.done.length} of ${status.applied.length} migrations to "local" (dashboards, ETL state, invoice indexes), ` +
      `rolled back ${down.done.map((d) => `${d.version}_${d.name}`).join(', ')} and re-applied it; at ${status.current} ` +
      `(opsctl migrate status; MySQL examples in ${join(dir, 'reco')})`
    );
  },
};
