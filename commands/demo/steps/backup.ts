import { countTables } from '../../../src/backups/tables.js';
import { openTarget } from '../../../src/db/target.js';
import { bytes, plural } from '../../../src/format.js';
import { backupCreate } from '../../backup/create.js';
import { backupVerify } from '../../backup/verify.js';
import { invoke } from '../../operation.js';
import type { DemoStep } from '../step.js';

/** A backup of the demo's PGlite target, proven by a restore drill into an in-memory PGlite. */
export const backupStep: DemoStep = {
  name: 'backup',
  configure(ws) {
    ws.backups = { retention: { keepLast: 3, keepDaily: 7, keepWeekly: 4 }, maxAgeHours: 24 };
  },
  async run(ctx) {
    await seedWhenEmpty(ctx.config.targets.local!, ctx.signal);
    const created = await invoke(backupCreate, ctx, { target: 'local' });
    const verified = await invoke(backupVerify, ctx, { backup: created.backup.id });
    if (!verified.ok)
      throw new Error(
        `backup ${created.backup.id} failed its restore drill: ${verified.steps.find((s) => !s.ok)?.detail}`,
      );
    const rows = verified.rowsChecked;
    return `${created.backup.id}: ${bytes(created.backup.sizeBytes)}, ${plural(verified.tablesChecked, 'table')} and ${plural(rows, 'row')} restored and counted in a scratch PGlite (opsctl backup list)`;
  },
};

/** An empty database proves little: give the demo target a small table (unicode, NULLs, bytes) when it has none. */
async function seedWhenEmpty(config: Parameters<typeof openTarget>[1], signal: AbortSignal): Promise<void> {
  const target = await openTarget('local', config, { signal });
  try {
    if ((await countTables(target, target.engine)).length > 0) return;
    await target.exec(`
      CREATE SCHEMA IF NOT EXISTS demo;
      CREATE TABLE demo.backup_sample (id int PRIMARY KEY, label text, payload bytea, noted_at timestamptz);
      INSERT INTO demo.backup_sample
        SELECT g, CASE WHEN g % 10 = 0 THEN NULL ELSE 'fila ' || g || ' · ñandú ✓' END, decode(lpad(to_hex(g), 8, '0'), 'hex'), now() - g * interval '1 hour'
        FROM generate_series(1, 250) g;
    `);
  } finally {
    await target.close();
  }
}
