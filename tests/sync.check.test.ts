import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { SyncSetupResult } from '../commands/sync/setup.js';
import type { ValidateResult } from '../commands/validate/index.js';
import { pipelineQueries } from '../commands/validate/pipeline-queries.js';
import { loadConfig } from '../src/config/load.js';
import { configSchema } from '../src/config/schema.js';
import { createTableSql, timescaleSql } from '../src/pipelines/sync/ddl.js';
import { nextWatermark } from '../src/pipelines/sync/run-table.js';
import { allSyncTables } from '../src/pipelines/sync/tables.js';
import { compareWatermark, copyField, normalizeValue, windowStart } from '../src/pipelines/sync/values.js';
import { PULSO_TABLES } from '../src/pipelines/sync/sample.js';
import { createPgDatabase, pgQuery, type TempDatabase } from './helpers/databases.js';
import { json, syncWorkspace } from './helpers/sync.js';

const pulso = () =>
  loadConfig({
    fileConfig: { pipelines: { pulso: { kind: 'sync', target: 'local', tables: PULSO_TABLES } } },
    isolated: true,
    env: {},
  }).config;

test("TimescaleDB SQL for the seeds' tables: chunk intervals and retention as the seeds set them", () => {
  const sql = timescaleSql(allSyncTables(pulso()));
  assert.ok(
    sql.includes(
      "SELECT create_hypertable('dashboard_data', by_range('fecha_foto', INTERVAL '7 days'), if_not_exists => TRUE, migrate_data => TRUE)",
    ),
    sql.join('\n'),
  );
  assert.ok(
    sql.includes(
      "SELECT add_retention_policy('dashboard_data', drop_after => INTERVAL '2 years', if_not_exists => TRUE)",
    ),
  );
  assert.ok(
    sql.includes(
      "SELECT create_hypertable('operation_data', by_range('fecha_foto', INTERVAL '1 day'), if_not_exists => TRUE, migrate_data => TRUE)",
    ),
  );
  assert.ok(
    sql.includes(
      "SELECT add_retention_policy('operation_data', drop_after => INTERVAL '1 year', if_not_exists => TRUE)",
    ),
  );
  assert.ok(
    sql.includes(
      "SELECT create_hypertable('etl_execution_log', by_range('started_at', INTERVAL '1 month'), if_not_exists => TRUE, migrate_data => TRUE)",
    ),
  );
  assert.ok(
    sql.includes(
      "SELECT add_retention_policy('etl_execution_log', drop_after => INTERVAL '6 months', if_not_exists => TRUE)",
    ),
  );
  assert.is(sql.length, 12, 'five tables and the log, each a hypertable with retention');
  assert.match(
    createTableSql(allSyncTables(pulso())[0]!),
    /PRIMARY KEY \("fecha_foto", "archivo", "cartera", "servicio"\)/,
  );
});

test('config: the key and the incremental column must be columns; lookback needs a time column', () => {
  const bad = configSchema.safeParse({
    pipelines: {
      p: {
        kind: 'sync',
        target: 'local',
        tables: {
          t: { columns: { id: 'integer', v: 'text' }, primary_key: ['idx'], incremental_column: 'v', lookback_days: 2 },
        },
      },
    },
  });
  assert.is(bad.success, false);
  const messages = bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  assert.ok(
    messages.some((m) => m.includes('primary_key.0') && m.includes('"idx" is not one of the columns')),
    messages.join('\n'),
  );
  assert.ok(
    messages.some((m) => m.includes('incremental_column') && m.includes('must be a date, timestamp or integer column')),
    messages.join('\n'),
  );
});

test('values: types checked, COPY text escaped, watermarks ordered and windows computed', () => {
  assert.equal(normalizeValue('12', 'integer'), { ok: true, text: '12' });
  assert.equal(normalizeValue('abc', 'integer'), { ok: false, reason: '"abc" is not an integer' });
  assert.equal(normalizeValue(2 ** 40, 'integer'), { ok: false, reason: '1099511627776 is out of range' });
  assert.equal(normalizeValue('2026-02-30', 'date'), { ok: false, reason: '"2026-02-30" is not a date (YYYY-MM-DD)' });
  assert.equal(
    normalizeValue({ value: '2026-11-01' }, 'date'),
    { ok: true, text: '2026-11-01' },
    'BigQuery wraps dates',
  );
  assert.equal(normalizeValue('2026-11-01 10:00:00+02', 'timestamptz'), {
    ok: true,
    text: '2026-11-01T08:00:00.000000Z',
  });
  assert.equal(normalizeValue(12345678901234567890n, 'bigint'), {
    ok: false,
    reason: '12345678901234567890 is out of range',
  });
  assert.is(copyField('a\tb\\c\nd'), 'a\\tb\\\\c\\nd');
  assert.is(copyField(null), '\\N');
  assert.is(windowStart('2026-03-02', 'date', 3), '2026-02-27');
  assert.is(windowStart('2026-03-02T10:00:00.000000Z', 'timestamp', 1), '2026-03-01T10:00:00.000000Z');
  assert.is(compareWatermark('9', '10', 'number'), -1);
  const cmp = (a: string, b: string) => compareWatermark(a, b, 'date');
  assert.is(nextWatermark('2026-11-20', '2026-11-24', null, false, cmp), '2026-11-24');
  assert.is(nextWatermark('2026-11-20', '2026-11-19', null, false, cmp), '2026-11-20', 'never backwards without force');
  assert.is(
    nextWatermark('2026-11-20', '2026-11-24', '2026-11-22', false, cmp),
    '2026-11-22',
    'held at the quarantined row',
  );
  assert.is(nextWatermark('2026-11-20', null, null, false, cmp), '2026-11-20');
});

test('validate: the sync group sends the source queries to the dry runs', () => {
  const config = loadConfig({
    fileConfig: {
      warehouse: { kind: 'bigquery', bigquery: { projectId: 'p', dataset: 'pulso' } },
      pipelines: { pulso: { kind: 'sync', target: 'local', tables: PULSO_TABLES } },
    },
    isolated: true,
    env: {},
  }).config;
  const q = pipelineQueries(config).find((x) => x.name === 'pulso/evolution_data')!;
  assert.ok(q, 'the sync tables are in the dry runs');
  assert.match(
    q.sql,
    /^SELECT `fecha_foto`, `archivo`, .* FROM `pulso`\.`evolution_data` WHERE `fecha_foto` >= CAST\('\d{4}-\d{2}-\d{2}' AS DATE\)$/,
  );
});

let db: TempDatabase;
test.before(async () => {
  db = await createPgDatabase('opsctl_sync_chk');
});
test.after(async () => db.drop());

test('setup --check fails on an empty target; setup creates the tables (basic on plain PostgreSQL); validate passes, then fails on drift', async () => {
  const ws = syncWorkspace({ engine: 'postgres', url: db.url });
  const before = await ws.cli(['sync', 'setup', '--check', '--json']);
  assert.is(before.code, 1);
  assert.is(json<SyncSetupResult>(before).targets[0]!.tables[0]!.status, 'missing');

  const setup = await ws.cli(['sync', 'setup', '--json']);
  assert.is(setup.code, 0, setup.stderr);
  const s = json<SyncSetupResult>(setup).targets[0]!;
  assert.is(s.status, 'basic');
  assert.is(s.tables[0]!.created, true);
  assert.match(s.notes.join(' '), /timescaledb extension is not installed/);

  const ok = await ws.cli(['validate', '--only', 'sync', '--json']);
  assert.is(ok.code, 0, ok.stdout);
  assert.equal(
    json<ValidateResult>(ok).checks.map((c) => [c.name, c.status]),
    [['pulso/events', 'pass']],
  );

  await pgQuery(
    db.url,
    'ALTER TABLE events ALTER COLUMN n TYPE text, DROP CONSTRAINT events_pkey, ADD PRIMARY KEY (fecha, archivo)',
  );
  const drift = await ws.cli(['validate', '--only', 'sync', '--json']);
  assert.is(drift.code, 1);
  const check = json<ValidateResult>(drift).checks[0]!;
  assert.is(check.status, 'fail');
  assert.is(
    check.reason,
    'column n is text, config says integer; primary key is (fecha, archivo), config says (fecha, archivo, cartera)',
  );

  await pgQuery(db.url, 'DROP TABLE events');
  const missing = await ws.cli(['validate', '--only', 'sync', '--json']);
  assert.is(missing.code, 1);
  assert.is(json<ValidateResult>(missing).checks[0]!.hint, 'Run `opsctl sync setup` to create it.');
});

test.run();
