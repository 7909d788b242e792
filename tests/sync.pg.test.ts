import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { SyncRunResult } from '../commands/sync/run.js';
import type { WatermarksListResult } from '../commands/watermarks/list.js';
import { createPgDatabase, pgQuery, type TempDatabase } from './helpers/databases.js';
import { json, pgRows, seedEventsSql, syncWorkspace, type SyncWorkspace } from './helpers/sync.js';

let db: TempDatabase;
let ws: SyncWorkspace;
test.before(async () => {
  db = await createPgDatabase('opsctl_sync');
  ws = syncWorkspace({ engine: 'postgres', url: db.url });
  await ws.duck(seedEventsSql('2026-11-20'));
});
test.after(async () => db.drop());

const run = async (...args: string[]) => {
  const r = await ws.cli(['sync', 'run', '--json', ...args]);
  assert.is(r.code, 0, r.stderr + r.stdout);
  return json<SyncRunResult>(r).pipelines[0]!.tables[0]!;
};
const value = async (fecha: string, archivo: string, cartera: string) =>
  (
    await pgQuery<{ monto: string; nota: string }>(
      db.url,
      'SELECT monto::text AS monto, nota FROM events WHERE fecha = $1 AND archivo = $2 AND cartera = $3',
      [fecha, archivo, cartera],
    )
  )[0];

test('first run loads the whole source and sets the watermark to the largest date loaded', async () => {
  const t = await run();
  assert.is(t.extracted, 40);
  assert.is(t.loaded, 40);
  assert.is(t.details!.inserted, 40);
  assert.is(t.details!.windowStart, null);
  assert.is(t.watermarkBefore, null);
  assert.is(t.watermarkAfter, '2026-11-20');
  assert.is((await pgRows(db.url)).length, 40);
  const log = await pgQuery<{ status: string; rows_upserted: number; watermark_after: string }>(
    db.url,
    'SELECT status, rows_upserted::int, watermark_after FROM etl_execution_log',
  );
  assert.equal(log, [{ status: 'ok', rows_upserted: 40, watermark_after: '2026-11-20' }]);
  const mirror = await pgQuery(db.url, 'SELECT watermark FROM etl_watermarks WHERE table_name = $1', ['events']);
  assert.equal(mirror, [{ watermark: '2026-11-20' }]);
});

test('a run with nothing new re-reads the lookback window and changes nothing', async () => {
  const t = await run();
  assert.is(t.details!.windowStart, '2026-11-17', 'watermark 2026-11-20 minus 3 days');
  assert.is(t.extracted, 16, 'four days × four keys');
  assert.is(t.loaded, 0);
  assert.is(t.details!.unchanged, 16);
  assert.is(t.watermarkAfter, '2026-11-20');
});

test('late rows inside the lookback are picked up, corrections overwrite, rows outside the window are untouched', async () => {
  await ws.duck(`INSERT INTO src.events VALUES (DATE '2026-11-18', 'LATE', 'movil', 1.5, '7', 'late');
UPDATE src.events SET monto = 999, nota = 'fixed' WHERE fecha = DATE '2026-11-19' AND archivo = 'A1' AND cartera = 'movil';
UPDATE src.events SET monto = 555, nota = 'old-fix' WHERE fecha = DATE '2026-11-12' AND archivo = 'A1' AND cartera = 'movil';
INSERT INTO src.events VALUES (DATE '2026-11-21', 'A1', 'movil', 3, '1', 'new')`);
  const t = await run();
  assert.is(t.details!.inserted, 2, 'the late row and the new day');
  assert.is(t.details!.updated, 1, 'the correction inside the window');
  assert.is(t.watermarkAfter, '2026-11-21');
  assert.equal(await value('2026-11-18', 'LATE', 'movil'), { monto: '1.50', nota: 'late' });
  assert.equal(await value('2026-11-19', 'A1', 'movil'), { monto: '999.00', nota: 'fixed' });
  assert.equal(
    await value('2026-11-12', 'A1', 'movil'),
    { monto: '87.00', nota: 'v1' },
    'outside the window: untouched',
  );
});

test('--force ignores the watermark and reloads the whole source', async () => {
  const t = await run('--force');
  assert.is(t.details!.windowStart, null);
  assert.is(t.extracted, 42);
  assert.is(t.details!.updated, 1, 'only the old correction differs');
  assert.equal(await value('2026-11-12', 'A1', 'movil'), { monto: '555.00', nota: 'old-fix' });
  assert.is(t.watermarkAfter, '2026-11-21');
});

test('duplicate keys in one batch resolve to the latest row, the same whatever the order', async () => {
  // Same key twice with the same date: the greater of the other columns wins, deterministically.
  await ws.duck(`INSERT INTO src.events VALUES (DATE '2026-11-21', 'DUP', 'movil', 1, '1', 'a');
INSERT INTO src.events VALUES (DATE '2026-11-21', 'DUP', 'movil', 2, '1', 'b')`);
  const t = await run();
  assert.is(t.details!.duplicates, 1);
  assert.equal(await value('2026-11-21', 'DUP', 'movil'), { monto: '2.00', nota: 'b' });
});

test('null keys and bad types are quarantined with reasons and the watermark does not pass them', async () => {
  await ws.duck(`INSERT INTO src.events VALUES (DATE '2026-11-22', NULL, 'movil', 1, '1', 'null key');
INSERT INTO src.events VALUES (DATE '2026-11-23', 'A1', 'movil', 1, 'abc', 'bad type');
INSERT INTO src.events VALUES (DATE '2026-11-24', 'A1', 'movil', 1, '4', 'good')`);
  const t = await run();
  assert.is(t.rejected, 2);
  assert.is(t.watermarkAfter, '2026-11-22', 'held at the first quarantined row, not 2026-11-24');
  assert.is(t.details!.heldAt, '2026-11-22');
  assert.equal(await value('2026-11-24', 'A1', 'movil'), { monto: '1.00', nota: 'good' }, 'good rows are loaded');
  const q = await ws.cli(['watermarks', 'get', 'events', '--json']);
  assert.is(q.code, 0, q.stderr);
  // The quarantine holds the rows and why.
  const { openStateStore } = await import('../src/state/open.js');
  const { listQuarantine } = await import('../src/state/quarantine.js');
  const store = await openStateStore(`sqlite:${ws.dir}/home/state.db`);
  try {
    const reasons = (await listQuarantine(store, { table: 'events' })).map((r) => r.reason).sort();
    assert.equal(reasons, ['n: "abc" is not an integer', 'primary key column archivo is null']);
  } finally {
    await store.close();
  }
  // Fixed at the source, the next run (from 2026-11-22 − 3 days) loads them and the watermark moves on.
  await ws.duck(`UPDATE src.events SET archivo = 'A9' WHERE archivo IS NULL;
UPDATE src.events SET n = '5' WHERE n = 'abc'`);
  const fixed = await run();
  assert.is(fixed.rejected, 0);
  assert.is(fixed.watermarkAfter, '2026-11-24');
  assert.equal(await value('2026-11-22', 'A9', 'movil'), { monto: '1.00', nota: 'null key' });
});

test('watermarks list: lag against max_lag, next window, last run', async () => {
  const r = await ws.cli(['watermarks', 'list', '--json']);
  assert.is(r.code, 0, r.stderr);
  const [w] = json<WatermarksListResult>(r).watermarks;
  assert.is(w!.value, '2026-11-24');
  assert.is(w!.windowStart, '2026-11-21');
  assert.is(w!.limitSeconds, 2 * 86_400);
  assert.ok(w!.lagSeconds! > 2 * 86_400);
  assert.is(w!.lagging, true);
  assert.is(w!.lastRun!.status, 'ok');
});

test('set and reset need confirmation; reset makes the next run reload everything', async () => {
  const refused = await ws.cli(['watermarks', 'reset', 'events']);
  assert.is(refused.code, 2, refused.stderr);
  const set = await ws.cli(['watermarks', 'set', 'events', '2026-11-01', '--yes', '--json']);
  assert.is(set.code, 0, set.stderr);
  assert.is(json<{ after: string }>(set).after, '2026-11-01');
  const bad = await ws.cli(['watermarks', 'set', 'events', 'yesterday', '--yes']);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /not a date watermark/);
  const reset = await ws.cli(['watermarks', 'reset', 'pulso/events', '--yes', '--json']);
  assert.is(reset.code, 0, reset.stderr);
  assert.is(json<{ after: null }>(reset).after, null);
  const t = await run();
  assert.is(t.details!.windowStart, null);
});

test.run();
