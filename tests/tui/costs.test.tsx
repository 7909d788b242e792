import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CostReportWithTrend } from '../../commands/costs/collect.js';
import { buildReport } from '../../src/costs/report.js';
import { configSchema } from '../../src/config/schema.js';
import { fakeServices, renderConsole, waitFor } from '../helpers/console.js';

const GIB = 1024 ** 3;
const costs = configSchema.parse({}).costs;

function report(bytesPerDay: number, days: number): CostReportWithTrend {
  const daily = [1, 2, 3].map((d) => ({
    day: `2026-11-0${d}`,
    bytesBilled: bytesPerDay,
    bytesProcessed: bytesPerDay,
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
      top: [
        {
          jobId: 'job_big',
          user: 'dashboards@acme.com',
          createdAt: '2026-11-02T10:00:00Z',
          bytesBilled: 90 * GIB,
          query: 'SELECT * FROM spotify_data.recently_played',
          labels: { dashboard: 'sales' },
        },
      ],
    },
    {
      costs,
      now: new Date('2026-11-03T12:00:00Z'),
      days,
      warehouse: 'bigquery',
      location: 'bigquery acme.spotify_data (US)',
    },
  );
  const snapshot = {
    warehouse: 'bigquery',
    day: '2026-11-03',
    takenAt: r.generatedAt,
    storageBytes: 2 * GIB,
    bytesBilledDay: bytesPerDay,
    bytesBilledMtd: 3 * bytesPerDay,
    mtdUsd: r.monthToDate.totalUsd,
    projectedUsd: r.projection.totalUsd,
    budgetPercent: r.budget.percent,
  };
  return { ...r, trend: [snapshot], snapshot };
}

test('the Costs pane shows month to date against budget and free tier, crossed levels, and the top queries', async () => {
  const services = fakeServices({
    status: () => {
      throw new Error('not used');
    },
    'costs.report': (input) => report(100 * GIB, Number(input.days)),
  });
  const app = renderConsole(services, { initialPane: 'costs' });
  try {
    const frame = await waitFor(app.lastFrame, (f) => f.includes('query free tier'));
    assert.match(frame, /\$0 month to date · projected \$12\.06 of \$1\.00 budget · day 3\/30/);
    assert.match(frame, /query free tier\s+█+░+\s+29% → 293%/);
    assert.match(frame, /levels crossed: budget 100%, query free tier 100%/);
    assert.match(frame, /dashboards@acme\.com/);
    assert.match(frame, /d 30 days/);
    app.stdin.write('d');
    await waitFor(app.lastFrame, (f) => f.includes('d 90 days'));
    await waitFor(
      () => String(services.calls.filter((c) => c.name === 'costs.report').length),
      (n) => n === '2',
    );
    assert.equal(
      services.calls.filter((c) => c.name === 'costs.report').map((c) => c.input.days),
      [30, 90],
    );
  } finally {
    app.unmount(); // a failed assertion must not leave the refresh timers holding the test process open
  }
});

test('a report that fails shows the error and keeps the keys working', async () => {
  const services = fakeServices({
    'costs.report': () => {
      throw new Error('BigQuery denied costs.daily: access denied');
    },
  });
  const app = renderConsole(services, { initialPane: 'costs' });
  try {
    const frame = await waitFor(app.lastFrame, (f) => f.includes('access denied'));
    assert.match(frame, /r refresh/);
  } finally {
    app.unmount();
  }
});

test.run();
