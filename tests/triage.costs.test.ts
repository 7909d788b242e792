import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { run } from '../commands/catalog.js';
import type { OperationContext } from '../commands/operation.js';
import { createRuntime } from '../commands/runtime.js';
import { TRIAGE_SOURCES } from '../commands/triage/sources.js';
import { loadConfig } from '../src/config/load.js';
import { recordWarehouseJob } from '../src/costs/store.js';
import { silentLogger } from '../src/log/logger.js';
import { Redactor } from '../src/log/redact.js';
import { tempDir } from './helpers/tmp.js';

const TIB = 1024 ** 4;
const costsSource = TRIAGE_SOURCES.find((s) => s.name === 'costs')!;

function workspace(costs: Record<string, unknown> = {}) {
  const dir = tempDir('opsctl-triage-costs-');
  // No warehouse file: nothing can open DuckDB, so the snapshot is all the triage can read.
  const file = { home: join(dir, 'home'), warehouse: { duckdb: { path: join(dir, 'none.duckdb') } }, costs };
  writeFileSync(join(dir, 'opsctl.config.json'), JSON.stringify(file));
  const loaded = loadConfig({ cwd: dir, env: {}, redactor: new Redactor(), fileConfig: file });
  return createRuntime({ loaded, log: silentLogger, trigger: 'cli' });
}

const snapshots = async (ctx: OperationContext) =>
  (await ctx.state()).query<{ day: string; taken_at: string }>('SELECT day, taken_at FROM costs_snapshots');

test('the cost levels come from the stored snapshot: triage saves none and reads no warehouse', async () => {
  const ctx = workspace();
  try {
    const now = new Date();
    assert.equal(await costsSource.collect(ctx, { components: [], now }), [], 'no snapshot yet (DuckDB): nothing');

    // 2 TiB read today: the month-end projection is far past the query free tier and the 1 USD budget.
    await recordWarehouseJob(await ctx.state(), {
      warehouse: 'duckdb',
      operation: 'etl.run',
      bytesScanned: 2 * TIB,
      rowsRead: 1,
      query: 'SELECT 1',
    });
    const snapshot = await run('costs.snapshot', ctx, {});
    const before = await snapshots(ctx);

    const items = await costsSource.collect(ctx, { components: [], now });
    assert.equal(
      items.map((i) => [i.id, i.severity]),
      [
        ['cost:budget', 'critical'],
        ['cost:query free tier', 'critical'],
      ],
    );
    const budget = items[0]!;
    assert.match(budget.title, /^budget projected at [\d,.]+ ?% this month \(level 100 %\)$/);
    assert.match(budget.detail, /projected \$[\d,.]+ of \$1\.00 \(as of /);
    assert.is(budget.since, snapshot.takenAt);
    assert.is(budget.command, 'opsctl costs report');

    // The status operation itself: the same items, and no new snapshot.
    const triage = await run('status.triage', ctx, {});
    assert.equal(
      triage.items.filter((i) => i.kind === 'cost').map((i) => i.id),
      ['cost:budget', 'cost:query free tier'],
    );
    assert.equal(await snapshots(ctx), before);
  } finally {
    await ctx.close();
  }
});

test('below costs.failAtPercent a crossed level is a warning; on BigQuery a stale or missing snapshot is one too', async () => {
  const ctx = workspace({ failAtPercent: 1_000_000, levels: [50] });
  try {
    await recordWarehouseJob(await ctx.state(), {
      warehouse: 'duckdb',
      operation: 'etl.run',
      bytesScanned: TIB,
      rowsRead: 1,
      query: 'SELECT 1',
    });
    await run('costs.snapshot', ctx, {});
    const items = await costsSource.collect(ctx, { components: [], now: new Date() });
    assert.equal(
      items.map((i) => [i.id, i.severity]),
      [
        ['cost:budget', 'warning'],
        ['cost:query free tier', 'warning'],
      ],
    );

    // The same store read as a BigQuery workspace: no BigQuery snapshot at all.
    const bigquery = {
      ...ctx,
      config: { ...ctx.config, warehouse: { ...ctx.config.warehouse, kind: 'bigquery' as const } },
    } as OperationContext;
    const stale = await costsSource.collect(bigquery, { components: [], now: new Date() });
    assert.equal(
      stale.map((i) => [i.id, i.severity, i.title, i.command]),
      [['cost-stale', 'warning', 'costs never checked', 'opsctl costs snapshot']],
    );
    await (
      await ctx.state()
    ).run(
      `INSERT INTO costs_snapshots (warehouse, day, taken_at, storage_bytes, bytes_billed_day, bytes_billed_mtd, mtd_usd, projected_usd, budget_percent)
       VALUES ('bigquery', '2020-01-01', '2020-01-01T04:30:00.000Z', 0, 0, 0, 0, 0, 0)`,
    );
    const old = await costsSource.collect(bigquery, { components: [], now: new Date() });
    assert.equal(
      old.map((i) => [i.id, i.since]),
      [['cost-stale', '2020-01-01T04:30:00.000Z']],
    );
    assert.match(old[0]!.title, /^costs last checked \d+d ago$/);
  } finally {
    await ctx.close();
  }
});

test.run();
