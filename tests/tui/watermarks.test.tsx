import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfirmationRequired } from '../../src/errors.js';
import type { SyncTableStatus } from '../../src/pipelines/sync/status.js';
import { loadConfig } from '../../src/config/load.js';
import { Redactor } from '../../src/log/redact.js';
import { fakeServices, renderConsole, tick, waitFor } from '../helpers/console.js';
import { tempDir } from '../helpers/tmp.js';

const row = (table: string, over: Partial<SyncTableStatus> = {}): SyncTableStatus => ({
  pipeline: 'pulso',
  table,
  target: 'local',
  incrementalColumn: 'fecha_foto',
  type: 'date',
  lookbackDays: 7,
  value: '2026-11-20',
  updatedAt: '2026-11-21T01:00:00Z',
  windowStart: '2026-11-13',
  lagSeconds: 3600,
  limitSeconds: 2 * 86_400,
  lagging: false,
  lastRun: {
    runId: 3,
    status: 'ok',
    at: '2026-11-21T01:00:00Z',
    rowsExtracted: 150,
    rowsLoaded: 9,
    rowsRejected: 0,
    error: null,
  },
  ...over,
});

test('the Watermarks pane: one row per table, lag beyond the limit flagged, next window; enter syncs the selected table', async () => {
  const services = fakeServices({
    'watermarks.list': () => ({
      watermarks: [
        row('dashboard_data', { lagSeconds: 5 * 86_400, lagging: true }),
        row('evolution_data', {
          windowStart: '2026-11-17',
          lastRun: {
            runId: 3,
            status: 'ok',
            at: '2026-11-21T01:00:00Z',
            rowsExtracted: 12,
            rowsLoaded: 3,
            rowsRejected: 2,
            error: null,
          },
        }),
      ],
      checkedAt: '2026-11-21T02:00:00Z',
    }),
    'sync.run': (input) => ({
      ok: true,
      force: input.force,
      dryRun: false,
      pipelines: [
        {
          pipeline: 'pulso',
          runId: 4,
          target: 'local',
          notes: [],
          tables: [
            {
              table: 'evolution_data',
              status: 'ok',
              extracted: 12,
              loaded: 1,
              rejected: 0,
              watermarkBefore: '2026-11-20',
              watermarkAfter: '2026-11-21',
              details: {
                inserted: 1,
                updated: 0,
                unchanged: 11,
                duplicates: 0,
                windowStart: '2026-11-17',
                heldAt: null,
              },
            },
          ],
        },
      ],
    }),
  });
  const app = renderConsole(services, { initialPane: 'watermarks' });
  const frame = await waitFor(app.lastFrame, (f) => f.includes('evolution_data'));
  await tick(250);
  assert.match(frame, /2 sync tables · 1 lagging beyond max_lag/);
  assert.match(frame, /! pulso\/dashboard_data\s+2026-11-20\s+5d\s+2d\s+ok\s+9\/150\s+fecha_foto ≥ 2026-11-13/);
  assert.match(frame, /pulso\/evolution_data\s+2026-11-20\s+1h\s+2d\s+ok\s+3\/12 q2\s+fecha_foto ≥ 2026-11-17/);
  app.stdin.write('\u001B[B'); // down
  await tick(250);
  app.stdin.write('\r');
  const done = await waitFor(app.lastFrame, (f) => f.includes('1 inserted'));
  assert.match(done, /evolution_data: ok, 1 inserted, 0 updated, 0 quarantined, watermark 2026-11-21/);
  assert.equal(services.calls.find((c) => c.name === 'sync.run')!.input, {
    table: 'pulso/evolution_data',
    force: false,
  });
  app.unmount();
});

test('set asks for a value and a confirmation; Cancel (the default) changes nothing, confirming sends confirm: true', async () => {
  const services = fakeServices({
    'watermarks.list': () => ({ watermarks: [row('dashboard_data')], checkedAt: '2026-11-21T02:00:00Z' }),
    'watermarks.set': (input) => {
      if (input.confirm !== true)
        throw new ConfirmationRequired(`set the watermark of ${input.table} to ${input.value}`);
      return {
        pipeline: 'pulso',
        table: 'dashboard_data',
        before: '2026-11-20',
        after: input.value,
        note: 'the next run reads fecha_foto ≥ 2026-11-01 minus 7 days of lookback',
      };
    },
    'watermarks.reset': (input) => {
      if (input.confirm !== true) throw new ConfirmationRequired(`reset the watermark of ${input.table}`);
      return {
        pipeline: 'pulso',
        table: 'dashboard_data',
        before: '2026-11-20',
        after: null,
        note: 'the next run reloads the whole source',
      };
    },
  });
  const app = renderConsole(services, { initialPane: 'watermarks' });
  await waitFor(app.lastFrame, (f) => f.includes('dashboard_data'));
  app.stdin.write('s');
  await waitFor(app.lastFrame, (f) => f.includes('watermark for pulso/dashboard_data: 2026-11-20'));
  await tick(250);
  for (const key of ['\u007F', '\u007F', '0', '1']) {
    app.stdin.write(key);
    await tick(250);
  }
  await waitFor(app.lastFrame, (f) => f.includes('watermark for pulso/dashboard_data: 2026-11-01'));
  await tick(250);
  app.stdin.write('\r');
  let frame = await waitFor(app.lastFrame, (f) => f.includes('Confirm'));
  assert.match(frame, /set the watermark of pulso\/dashboard_data to 2026-11-01/);
  await tick(250);
  app.stdin.write('\r'); // Cancel has the focus
  await waitFor(app.lastFrame, (f) => !f.includes('Confirm'));
  assert.is(services.calls.filter((c) => c.name === 'watermarks.set').length, 1, 'only the refused call');

  app.stdin.write('x');
  await waitFor(app.lastFrame, (f) => f.includes('reset the watermark of pulso/dashboard_data'));
  await tick(250);
  app.stdin.write('\u001B[C'); // → Confirm
  await tick(250);
  app.stdin.write('\r');
  frame = await waitFor(app.lastFrame, (f) => f.includes('the next run reloads the whole source'));
  assert.match(frame, /pulso\/dashboard_data: 2026-11-20 → \(none\)/);
  assert.equal(
    services.calls.filter((c) => c.name === 'watermarks.reset').map((c) => c.input),
    [{ table: 'pulso/dashboard_data' }, { table: 'pulso/dashboard_data', confirm: true }],
  );
  app.unmount();
});

test('syncing a table of a production target asks for the target name first (enter and f alike)', async () => {
  const loaded = loadConfig({
    cwd: tempDir(),
    env: {},
    redactor: new Redactor(),
    fileConfig: { targets: { prod: { engine: 'postgres', url: 'postgres://db/prod', production: true } } },
  });
  const services = fakeServices(
    {
      'watermarks.list': () => ({ watermarks: [row('dashboard_data', { target: 'prod' })], checkedAt: '' }),
      'sync.run': () => {
        throw new Error('sync stopped here');
      },
    },
    loaded,
  );
  const app = renderConsole(services, { initialPane: 'watermarks' });
  try {
    await waitFor(app.lastFrame, (f) => f.includes('dashboard_data') && f.includes('f force'));
    await tick(100);
    app.stdin.write('f');
    const asked = await waitFor(app.lastFrame, (f) => f.includes('Type prod to enable Reload'));
    assert.match(
      asked.replace(/[│╭╮╰╯─]/g, ' ').replace(/\s+/g, ' '),
      /reload pulso\/dashboard_data from the whole source into target "prod" \(PRODUCTION\)/,
    );
    await waitFor(app.lastFrame, (f) => f.includes('esc cancel'));
    app.stdin.write('\u001B');
    await waitFor(app.lastFrame, (f) => !f.includes('Type prod'));
    await tick(100); // the pane's keys come back after the dialog has gone
    app.stdin.write('\r');
    await waitFor(app.lastFrame, (f) => f.includes('Type prod to enable Sync') && f.includes('esc cancel'));
    app.stdin.write('\u001B[C');
    await waitFor(app.lastFrame, (f) => f.includes('⏎ sync'));
    app.stdin.write('\r');
    await tick(100);
    assert.is(services.calls.filter((c) => c.name === 'sync.run').length, 0, 'nothing runs before the name is typed');
    app.stdin.write('prod');
    await waitFor(app.lastFrame, (f) => f.includes('> prod'));
    app.stdin.write('\r');
    await waitFor(app.lastFrame, (f) => f.includes('sync stopped here'));
    assert.equal(
      services.calls.filter((c) => c.name === 'sync.run').map((c) => c.input),
      [{ table: 'pulso/dashboard_data', force: false }],
    );
  } finally {
    app.unmount();
  }
});

test.run();
