import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ResultFor } from '../../commands/catalog.js';
import { formatBackups } from '../../src/bot/commands/backups.js';
import { formatCosts } from '../../src/bot/commands/costs.js';
import { formatRuns } from '../../src/bot/commands/runs.js';
import { createColors } from '../../src/cli/colors.js';
import { createTextOut, type TextOut } from '../../src/cli/output.js';
import { renderList } from '../../src/cli/register/backup.js';
import { renderReport } from '../../src/cli/register/costs.js';
import { renderHistory } from '../../src/cli/register/etl.js';
import { configSchema } from '../../src/config/schema.js';
import { buildReport } from '../../src/costs/report.js';
import { ago, bytes, count, duration, percent, usd } from '../../src/format.js';
import { fakeServices, renderConsole, waitFor } from '../helpers/console.js';

/**
 * One value, one spelling: the same run, backup and cost report rendered by the CLI's renderer, a console pane
 * (ink-testing-library's last frame) and the bot's reply must show each value exactly as src/format.ts writes it.
 * A face that formats on its own (`125m00s`, `1.5 GB`, `$0.00`) fails here.
 */

const GIB = 1024 ** 3;
const now = Date.now();
const TWO_H_FIVE = (2 * 60 + 5) * 60_000;

const runs: ResultFor<'etl.history'> = {
  runs: [
    {
      id: 42,
      pipeline: 'spotify',
      kind: 'spotify',
      operation: 'etl.run',
      status: 'succeeded',
      trigger: 'cron',
      host: 'box',
      pid: 4242,
      startedAt: new Date(now - 3 * 3_600_000).toISOString(),
      finishedAt: new Date(now - 3 * 3_600_000 + TWO_H_FIVE).toISOString(),
      durationMs: TWO_H_FIVE,
      dryRun: false,
      rowsExtracted: 1_234_567,
      rowsLoaded: 1_234_567,
      rowsRejected: 0,
      unavailable: [],
      error: null,
      orphanReason: null,
      progress: null,
    },
  ],
  total: 1,
  nextBeforeId: null,
};

const backupAt = new Date(now - 5 * 3_600_000).toISOString();
const backups: ResultFor<'backup.list'> = {
  maxAgeHours: 24,
  backups: [
    {
      id: 'app-20261203',
      target: 'app',
      engine: 'postgres',
      path: '/b/app.dump',
      format: 'custom',
      sizeBytes: 1.5 * GIB,
      sha256: 'c'.repeat(64),
      serverVersion: 'PostgreSQL 16',
      tool: 'pg_dump 16',
      startedAt: backupAt,
      finishedAt: backupAt,
      verified: false,
      verifyStatus: null,
      verifiedAt: null,
      verifyError: null,
      tables: [],
    },
  ],
};

function costReport(): ResultFor<'costs.report'> {
  const costs = configSchema.parse({}).costs;
  const daily = [1, 2, 3].map((d) => ({
    day: `2026-11-0${d}`,
    bytesBilled: 400 * GIB,
    bytesProcessed: 400 * GIB,
    jobs: 2,
    cacheHits: 0,
  }));
  const r = buildReport(
    {
      storage: [{ dataset: 'spotify_data', table: 'plays', activeBytes: 2 * GIB, longTermBytes: 0 }],
      daily,
      byUser: [],
      byLabel: [],
      opsctlBytesBilled: GIB,
      top: [],
    },
    {
      costs,
      now: new Date('2026-11-03T12:00:00Z'),
      days: 30,
      warehouse: 'bigquery',
      location: 'bigquery acme.spotify_data (US)',
    },
  );
  const snapshot = {
    warehouse: 'bigquery',
    day: '2026-11-03',
    takenAt: r.generatedAt,
    storageBytes: 2 * GIB,
    bytesBilledDay: 400 * GIB,
    bytesBilledMtd: 1200 * GIB,
    mtdUsd: r.monthToDate.totalUsd,
    projectedUsd: r.projection.totalUsd,
    budgetPercent: r.budget.percent,
  };
  return { ...r, trend: [snapshot], snapshot };
}
const costs = costReport();

function cli(render: (out: TextOut) => void): string {
  let text = '';
  render(createTextOut((s) => (text += s), createColors(false)));
  return text;
}

async function consolePane(pane: string, handlers: Parameters<typeof fakeServices>[0], until: string) {
  const ui = renderConsole(fakeServices(handlers), { initialPane: pane });
  try {
    return await waitFor(ui.lastFrame, (f) => f.includes(until));
  } finally {
    ui.unmount();
  }
}

function sameEverywhere(values: Record<string, string>, faces: Record<string, string>) {
  for (const [what, value] of Object.entries(values)) {
    for (const [face, text] of Object.entries(faces)) {
      assert.ok(text.includes(value), `${what} should read "${value}" in the ${face}; it shows:\n${text}`);
    }
  }
}

test('a run: 2 h 05 min and its row count read the same in the CLI, the Runs pane and /runs', async () => {
  const values = { duration: duration(TWO_H_FIVE), rows: count(1_234_567) };
  assert.is(values.duration, '2h05m');
  sameEverywhere(values, {
    CLI: cli((out) => renderHistory(runs, out)),
    console: await consolePane('runs', { 'etl.history': () => runs }, 'spotify'),
    bot: formatRuns(runs),
  });
});

test('a backup: its size in IEC bytes and its age read the same in the CLI, the Backups pane and /backups', async () => {
  const values = { size: bytes(1.5 * GIB), age: ago(backupAt) };
  assert.is(values.size, '1.50 GiB');
  assert.is(values.age, '5h ago');
  const freshness: ResultFor<'backup.freshness'> = {
    ok: true,
    maxAgeHours: 24,
    checkedAt: new Date(now).toISOString(),
    targets: [],
  };
  sameEverywhere(values, {
    CLI: cli((out) => renderList(backups.backups, backups.maxAgeHours, out)),
    console: await consolePane(
      'backups',
      { 'backup.list': () => backups, 'backup.freshness': () => freshness },
      'app-20261203',
    ),
    bot: formatBackups(backups),
  });
});

test('money and percentages: the cost report reads the same in the CLI, the Costs pane and /costs', async () => {
  const values = {
    'month to date': usd(costs.monthToDate.totalUsd),
    projection: usd(costs.projection.totalUsd),
    budget: usd(costs.budget.usd),
    'budget share': percent(costs.budget.percent),
    'query bytes': bytes(costs.monthToDate.bytesBilled),
  };
  assert.match(values['budget share'], /^\d+(\.\d)?%$/);
  sameEverywhere(values, {
    CLI: cli((out) => renderReport(costs, out)),
    console: await consolePane('costs', { 'costs.report': () => costs }, 'month to date'),
    bot: formatCosts(costs),
  });
});

test.run();
