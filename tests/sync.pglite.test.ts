import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { SyncRunResult } from '../commands/sync/run.js';
import type { SyncSetupResult } from '../commands/sync/setup.js';
import { BIN } from './helpers/cli.js';
import { json, seedEventsSql, syncWorkspace } from './helpers/sync.js';
import { tempDir } from './helpers/tmp.js';

async function pgliteRows(path: string, sql = 'SELECT t::text AS r FROM events t ORDER BY 1'): Promise<string[]> {
  const db = await PGlite.create(path);
  try {
    return (await db.query<{ r: string }>(sql)).rows.map((r) => r.r);
  } finally {
    await db.close();
  }
}

test('PGlite target: first load, late rows and corrections in the window, quarantine, force', async () => {
  const path = join(tempDir('opsctl-pglite-'), 'dash');
  const ws = syncWorkspace({ engine: 'pglite', path });
  await ws.duck(seedEventsSql('2026-11-20'));
  const run = async (...args: string[]) => {
    const r = await ws.cli(['sync', 'run', '--json', ...args]);
    assert.is(r.code, 0, r.stderr + r.stdout);
    return json<SyncRunResult>(r).pipelines[0]!.tables[0]!;
  };
  const first = await run();
  assert.is(first.loaded, 40);
  assert.is(first.watermarkAfter, '2026-11-20');

  await ws.duck(`INSERT INTO src.events VALUES (DATE '2026-11-18', 'LATE', 'movil', 1.5, '7', 'late');
UPDATE src.events SET nota = 'fixed' WHERE fecha = DATE '2026-11-19' AND archivo = 'A1' AND cartera = 'movil';
UPDATE src.events SET nota = 'old-fix' WHERE fecha = DATE '2026-11-12' AND archivo = 'A1' AND cartera = 'movil';
INSERT INTO src.events VALUES (DATE '2026-11-21', NULL, 'movil', 1, '1', 'null key');
INSERT INTO src.events VALUES (DATE '2026-11-22', 'A1', 'movil', 1, '2', 'good')`);
  const second = await run();
  assert.is(second.details!.inserted, 2, 'the late row and the good new one');
  assert.is(second.details!.updated, 1);
  assert.is(second.rejected, 1);
  assert.is(second.watermarkAfter, '2026-11-21', 'held at the quarantined row');
  const notes = await pgliteRows(
    path,
    "SELECT fecha::text || ' ' || archivo || ' ' || nota AS r FROM events WHERE cartera = 'movil' AND archivo IN ('A1', 'LATE') AND fecha IN ('2026-11-12', '2026-11-18', '2026-11-19', '2026-11-22') ORDER BY 1",
  );
  assert.equal(notes, [
    '2026-11-12 A1 v1',
    '2026-11-18 A1 v1',
    '2026-11-18 LATE late',
    '2026-11-19 A1 fixed',
    '2026-11-22 A1 good',
  ]);

  const forced = await run('--force');
  assert.is(forced.details!.updated, 1, 'the old correction');
  assert.ok(
    (
      await pgliteRows(
        path,
        "SELECT nota AS r FROM events WHERE fecha = '2026-11-12' AND archivo = 'A1' AND cartera = 'movil'",
      )
    )[0] === 'old-fix',
  );

  const dry = await run('--dry-run');
  assert.is(dry.watermarkAfter, dry.watermarkBefore);

  const setup = await ws.cli(['sync', 'setup', '--json']);
  assert.is(setup.code, 0, setup.stderr);
  const s = json<SyncSetupResult>(setup).targets[0]!;
  assert.is(s.status, 'basic');
  assert.equal(s.metaTables, ['etl_watermarks', 'etl_execution_log']);
  assert.is(s.tables[0]!.status, 'ok');
});

test('PGlite target: a run killed with SIGKILL mid-load, then a rerun, equals an uninterrupted run', async () => {
  const seed = `CREATE SCHEMA IF NOT EXISTS src;
CREATE OR REPLACE TABLE src.events AS
SELECT (DATE '2026-11-20' - CAST(i % 30 AS INTEGER))::DATE AS fecha, 'F' || (i // 30) AS archivo, 'movil' AS cartera, (i * 0.5)::DECIMAL(12,2) AS monto, CAST(i % 7 AS VARCHAR) AS n, 'x' || i AS nota
FROM range(0, 12000) t(i)`;
  const refPath = join(tempDir('opsctl-pglite-'), 'ref');
  const killPath = join(tempDir('opsctl-pglite-'), 'kill');
  const ref = syncWorkspace({ engine: 'pglite', path: refPath }, undefined, { batchSize: 1000 });
  const victim = syncWorkspace({ engine: 'pglite', path: killPath }, undefined, { batchSize: 1000 });
  await ref.duck(seed);
  await victim.duck(seed);
  assert.is((await ref.cli(['sync', 'run'])).code, 0);

  const child = spawn(process.execPath, [BIN, 'sync', 'run', '--log-level', 'info'], {
    cwd: victim.dir,
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<string | null>((resolve) => child.on('close', (_c, signal) => resolve(signal)));
  await new Promise<void>((resolve) => {
    let buf = '';
    child.stderr.on('data', (c) => {
      buf += c;
      // The first batch is copied (its progress line is out): kill it in the middle of the load.
      if (/"phase":"events","done":\d+/.test(buf)) resolve();
    });
    child.on('close', () => resolve());
  });
  child.kill('SIGKILL');
  assert.is(await exited, 'SIGKILL', 'killed before it finished');
  const rerun = await victim.cli(['sync', 'run'], { timeoutMs: 300_000 });
  assert.is(rerun.code, 0, rerun.stderr);
  const a = await pgliteRows(refPath);
  const b = await pgliteRows(killPath);
  assert.is(b.length, 12_000);
  assert.ok(a.join('\n') === b.join('\n'), 'same rows, same values');
});

test.run();
