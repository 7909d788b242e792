import { createReadStream, createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { PGlite } from '@electric-sql/pglite';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { SyncRunResult } from '../commands/sync/run.js';
import { badValueSql, bulkPlan, exportThroughFifo } from '../src/pipelines/sync/bulk.js';
import { resolveTable, type SyncPipelineConfig } from '../src/pipelines/sync/tables.js';
import { createPgDatabase, pgQuery, type TempDatabase } from './helpers/databases.js';
import { json, pgRows, syncWorkspace, type SyncWorkspace } from './helpers/sync.js';
import { tempDir } from './helpers/tmp.js';

/**
 * The bulk path (DuckDB exports CSV, PostgreSQL COPYs it) against the per-row path (PGlite target: every value checked
 * in JS), on the same warehouse data: after every run both targets hold the same rows as text, the same counts, the
 * same watermark and the same quarantined rows with the same reasons. The source has native types only, so the
 * PostgreSQL side takes the bulk path; values that CSV makes hard (empty vs NULL, quotes, commas, newlines,
 * backslashes, `\N` as text) and values each check refuses are planted.
 */
const FACTS = {
  source: { table: 'src.facts' },
  columns: {
    fecha: 'date',
    archivo: 'text',
    n: 'integer',
    monto: 'numeric',
    ratio: 'double precision',
    activo: 'boolean',
    visto: 'timestamptz',
    nota: 'text',
  },
  primary_key: ['fecha', 'archivo'],
  incremental_column: 'fecha',
  lookback_days: 2,
};

const SEED = `CREATE SCHEMA IF NOT EXISTS src;
CREATE OR REPLACE TABLE src.facts (fecha DATE, archivo VARCHAR, n BIGINT, monto DECIMAL(14,2), ratio DOUBLE, activo BOOLEAN, visto TIMESTAMPTZ, nota VARCHAR);
INSERT INTO src.facts SELECT DATE '2026-11-01' + CAST(i % 10 AS INTEGER), 'F' || CAST(i AS VARCHAR), i * 1000, i / 7, i / 3.0, i % 2 = 0,
  TIMESTAMPTZ '2026-11-01 08:30:00.123456+02' + to_minutes(i), 'fila ' || CAST(i AS VARCHAR) FROM range(0, 60) t(i);
INSERT INTO src.facts VALUES
  (DATE '2026-11-05', 'empty', 1, 0, 0.1, true, NULL, ''),
  (DATE '2026-11-05', 'null', NULL, NULL, NULL, NULL, NULL, NULL),
  (DATE '2026-11-05', 'quotes', 2, 1.5, 1e20, false, TIMESTAMPTZ '2026-11-05 23:59:59.999999+00', 'say "hi", then, go'),
  (DATE '2026-11-05', 'lines', 3, -2.25, -0.000001, true, TIMESTAMPTZ '2026-11-05 00:00:00-05', E'two\\nlines\\r\\nand\\ttab'),
  (DATE '2026-11-05', 'slash', 4, 99999999.99, 123456789.123, false, TIMESTAMPTZ '2026-11-05 12:00:00+00', 'back\\slash \\N'),
  (DATE '2026-11-05', 'nullword', 5, 1, 2, true, TIMESTAMPTZ '2026-11-05 12:00:00+00', '\\N'),
  (DATE '2026-11-05', 'utf8', 6, 1, 2, true, TIMESTAMPTZ '2026-11-05 12:00:00+00', 'cañón ☕ 東京')`;

interface Side {
  ws: SyncWorkspace;
  rows(): Promise<string[]>;
  quarantined(): Promise<string[]>;
}

let db: TempDatabase;
let pgSide: Side;
let pgliteSide: Side;
let pglitePath: string;

async function quarantinedOf(ws: SyncWorkspace): Promise<string[]> {
  const { openStateStore } = await import('../src/state/open.js');
  const { listQuarantine } = await import('../src/state/quarantine.js');
  const store = await openStateStore(`sqlite:${ws.dir}/home/state.db`);
  try {
    return (await listQuarantine(store, { table: 'facts', limit: 1000 }))
      .map((r) => `${(r.payload as { archivo?: string }).archivo ?? 'null'}: ${r.reason}`)
      .sort();
  } finally {
    await store.close();
  }
}

test.before(async () => {
  db = await createPgDatabase('opsctl_sync_bulk');
  const pgWs = syncWorkspace({ engine: 'postgres', url: db.url }, { facts: FACTS });
  pglitePath = join(tempDir('opsctl-bulk-pglite-'), 'dash');
  const pgliteWs = syncWorkspace({ engine: 'pglite', path: pglitePath }, { facts: FACTS });
  pgSide = { ws: pgWs, rows: () => pgRows(db.url, 'facts'), quarantined: () => quarantinedOf(pgWs) };
  pgliteSide = {
    ws: pgliteWs,
    async rows() {
      const p = await PGlite.create(pglitePath);
      try {
        return (await p.query<{ r: string }>('SELECT t::text AS r FROM facts t ORDER BY 1')).rows.map((r) => r.r);
      } finally {
        await p.close();
      }
    },
    quarantined: () => quarantinedOf(pgliteWs),
  };
});
test.after(async () => db.drop());

/** The same change in both warehouses, one run on each side, and everything a run leaves behind compared. */
async function both(change: string, ...args: string[]) {
  const outcomes = [];
  for (const side of [pgSide, pgliteSide]) {
    await side.ws.duck(change);
    const r = await side.ws.cli(['sync', 'run', '--json', ...args]);
    assert.is(r.code, 0, r.stderr + r.stdout);
    outcomes.push(json<SyncRunResult>(r).pipelines[0]!.tables[0]!);
  }
  const [bulk, perRow] = outcomes as [(typeof outcomes)[number], (typeof outcomes)[number]];
  assert.is(bulk.details!.path, 'bulk', 'PostgreSQL from DuckDB takes the bulk path');
  assert.is(perRow.details!.path, 'rows', 'PGlite takes the per-row path');
  const pick = (o: typeof bulk) => ({
    extracted: o.extracted,
    loaded: o.loaded,
    rejected: o.rejected,
    after: o.watermarkAfter,
    ...o.details,
    path: undefined,
  });
  assert.equal(pick(bulk), pick(perRow));
  const [pgRowsNow, pgliteRowsNow] = [await pgSide.rows(), await pgliteSide.rows()];
  assert.ok(pgRowsNow.length > 0);
  assert.equal(pgRowsNow, pgliteRowsNow);
  assert.equal(await pgSide.quarantined(), await pgliteSide.quarantined());
  return bulk;
}

test('first load: the bulk path loads exactly what the per-row path loads (empty strings, NULLs, quotes, newlines, backslashes)', async () => {
  const t = await both(SEED);
  assert.is(t.loaded, 67);
  assert.is(t.watermarkAfter, '2026-11-10');
  const rows = await pgSide.rows();
  assert.ok(
    rows.some((r) => r.startsWith('(2026-11-05,empty,1,0.00,0.1,t,,"")')),
    rows.join('\n'),
  );
  assert.ok(rows.some((r) => r.startsWith('(2026-11-05,null,,,,,,)')));
  assert.ok(
    rows.some((r) => r.includes('"back\\\\slash \\\\N"')),
    'backslashes are data in CSV',
  );
});

test('late rows, corrections and bad values: the same rows loaded, the same rows quarantined for the same reasons', async () => {
  const t = await both(`INSERT INTO src.facts VALUES (DATE '2026-11-09', 'late', 7, 1, 1, true, NULL, 'late');
UPDATE src.facts SET nota = 'fixed', monto = 42 WHERE archivo = 'F9';
UPDATE src.facts SET nota = 'too old' WHERE archivo = 'F0';
INSERT INTO src.facts VALUES (DATE '2026-11-11', NULL, 1, 1, 1, true, NULL, 'null key');
INSERT INTO src.facts VALUES (DATE '2026-11-11', 'big', 3000000000, 1, 1, true, NULL, 'out of int4');
INSERT INTO src.facts VALUES (DATE '2026-11-12', 'nan', 1, 1, 'NaN'::DOUBLE, true, NULL, 'not finite');
INSERT INTO src.facts VALUES (DATE '2026-11-12', 'inf', 1, 1, 'Infinity'::DOUBLE, true, NULL, 'not finite');
INSERT INTO src.facts VALUES (DATE '2026-11-12', 'nul', 1, 1, 1, true, NULL, 'a' || chr(0) || 'b');
INSERT INTO src.facts VALUES (DATE '2026-11-13', 'good', 1, 1, 1, true, NULL, 'good')`);
  assert.is(t.rejected, 5);
  assert.is(t.watermarkAfter, '2026-11-11', 'held at the first quarantined row');
  assert.is(t.details!.inserted, 2, 'the late row and the good new one');
  assert.is(t.details!.updated, 1, 'the correction inside the window');
  const quarantined = await pgSide.quarantined();
  assert.equal(quarantined, [
    'big: n: 3000000000 is out of range',
    'inf: ratio: "Infinity" is not a number',
    'nan: ratio: "NaN" is not a number',
    'nul: nota: text contains a NUL byte',
    'null: primary key column archivo is null',
  ]);
  assert.ok(!(await pgSide.rows()).some((r) => r.includes('too old')), 'outside the window: untouched');
});

test('--force reloads the whole source through the bulk path; the rows match again', async () => {
  const t = await both(
    `DELETE FROM src.facts WHERE archivo IN ('big', 'nan', 'inf', 'nul') OR archivo IS NULL`,
    '--force',
  );
  assert.is(t.rejected, 0);
  assert.is(t.watermarkAfter, '2026-11-13');
  assert.ok(
    (await pgSide.rows()).some((r) => r.includes('too old')),
    'the old correction is loaded by --force',
  );
});

/** Empties the target table on both sides (the state store keeps its watermarks: the runs use --force). */
async function truncateBoth() {
  await pgQuery(db.url, 'TRUNCATE facts');
  const p = await PGlite.create(pglitePath);
  try {
    await p.exec('TRUNCATE facts');
  } finally {
    await p.close();
  }
}

test('into an empty table the rows are COPYed straight in, with the same outcome as staging and merging', async () => {
  await truncateBoth();
  const t = await both('SELECT 1', '--force');
  assert.is(t.details!.inserted, t.loaded);
  assert.is(t.details!.updated, 0);
  assert.ok(t.loaded > 60);
});

test('into an empty table, a key repeated in the source: the direct COPY is undone and the merge keeps one row per key', async () => {
  await truncateBoth();
  const t = await both(
    `INSERT INTO src.facts VALUES (DATE '2026-11-13', 'good', 9, 9, 9, false, NULL, 'good, later in the scan')`,
    '--force',
  );
  assert.is(t.details!.duplicates, 1);
  assert.is(t.details!.inserted, t.loaded);
  const good = (await pgSide.rows()).filter((r) => r.startsWith('(2026-11-13,good,'));
  assert.equal(good, ['(2026-11-13,good,9,9.00,9,f,,"good, later in the scan")'], 'the greater row wins, as per row');
});

test('bulk plan: native types take the bulk path; a source type it does not handle keeps the table row by row', () => {
  const p = {
    kind: 'sync',
    target: 'dash',
    enabled: true,
    batchSize: 1000,
    tables: {},
  } as unknown as SyncPipelineConfig;
  const t = resolveTable('p', p, 'facts', FACTS as never);
  const native = [
    'DATE',
    'VARCHAR',
    'BIGINT',
    'DECIMAL(14,2)',
    'DOUBLE',
    'BOOLEAN',
    'TIMESTAMP WITH TIME ZONE',
    'VARCHAR',
  ].map((type, i) => ({ name: t.columns[i]!.name, type }));
  const plan = bulkPlan(t, 'SELECT 1', native);
  assert.ok(!('reason' in plan), JSON.stringify(plan));
  if (!('reason' in plan)) assert.equal(plan.quote, ['archivo', 'nota']);
  const asText = native.map((c) => (c.name === 'n' ? { ...c, type: 'VARCHAR' } : c));
  assert.equal(bulkPlan(t, 'SELECT 1', asText), { reason: 'column n: VARCHAR into integer is checked row by row' });
  assert.is(
    badValueSql('r', 'FLOAT', 'double precision', false),
    undefined,
    'FLOAT: its CSV text is not the float64 the per-row path loads',
  );
  assert.is(badValueSql('n', 'INTEGER', 'integer', false), null);
  assert.is(badValueSql('t', 'TIMESTAMP WITH TIME ZONE', 'timestamp', true), undefined);
});

test('FIFO: a failing export releases the COPY waiting to open the pipe, and a failing COPY releases the export', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsctl-fifo-'));
  const fifo = join(dir, 'rows.csv');
  assert.is(spawnSync('mkfifo', [fifo]).status, 0);
  const read = () =>
    new Promise<void>((resolve, reject) => {
      const s = createReadStream(fifo);
      s.on('data', () => undefined)
        .on('end', resolve)
        .on('error', reject);
    });
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => 'resolved',
      (e: Error) => e.message,
    );
  assert.is(
    await failure(exportThroughFifo(fifo, () => Promise.reject(new Error('binder error')), read)),
    'binder error',
  );
  const write = () =>
    new Promise<number>((resolve, reject) => {
      const s = createWriteStream(fifo);
      s.on('error', reject);
      const more = () => {
        while (s.write(Buffer.alloc(65536))) {
          /* fill the pipe until the reader is gone */
        }
        s.once('drain', more);
      };
      s.on('open', more);
    });
  assert.is(
    await failure(exportThroughFifo(fifo, write, () => Promise.reject(new Error('invalid input syntax')))),
    'invalid input syntax',
  );
});

test.run();
