import { hostname } from 'node:os';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { etlRun } from '../commands/etl/run.js';
import { etlShow } from '../commands/etl/show.js';
import { invoke } from '../commands/operation.js';
import { getWatermark } from '../src/state/watermarks.js';
import { createPgDatabase, type TempDatabase } from './helpers/databases.js';
import { etlWorkspace, fakeExtractor, useFakeSpotify } from './helpers/etl.js';

// The same pipeline with the production state store (PostgreSQL): run record, quarantine, cursor, lock.
let db: TempDatabase;
test.before(async () => {
  db = await createPgDatabase('opsctl_etl');
});
test.after(async () => db?.drop());

test('on a PostgreSQL state store: a run records counts, quarantine and cursor; a live holder blocks the next run', async () => {
  const fake = fakeExtractor();
  useFakeSpotify(fake);
  const ws = etlWorkspace({ state: { url: db.url } });
  try {
    const first = await invoke(etlRun, ws.runtime, {});
    assert.ok(first.ok, JSON.stringify(first.failures));
    const id = first.executions[0]!.run!.id;
    const shown = await invoke(etlShow, ws.runtime, { run: id });
    assert.equal([shown.run.rowsLoaded, shown.run.rowsRejected, shown.quarantinedByTable], [13, 1, { tracks: 1 }]);
    assert.is(shown.tables.find((t) => t.table === 'track_audio_features')!.status, 'unavailable');
    const store = await ws.runtime.state();
    assert.is(store.kind, 'postgres');
    assert.is(
      (await getWatermark(store, 'spotify', 'recently_played'))?.value,
      String(Date.parse('2026-11-30T09:00:00Z')),
    );

    await store.run(
      'INSERT INTO locks (name, host, pid, process_start, operation, run_id, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [
        'pipeline:spotify',
        hostname(),
        process.ppid,
        null,
        'etl.run',
        null,
        '2026-12-01T00:00:00.000Z',
        '2026-12-01T00:00:00.000Z',
      ],
    );
    const locked = await invoke(etlRun, ws.runtime, {});
    assert.is(locked.executions[0]!.status, 'locked');
    assert.is(fake.calls.length, 1);
  } finally {
    await ws.runtime.close();
  }
});

test.run();
