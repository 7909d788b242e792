import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ResultFor } from '../../commands/catalog.js';
import type { ComponentHealth } from '../../src/health/types.js';
import { ConfirmationRequired } from '../../src/errors.js';
import { fakeServices, renderConsole, tick, waitFor } from '../helpers/console.js';

type Round = ResultFor<'health'>;

let rounds = 0;
function round(): Round {
  rounds++;
  const shop: ComponentHealth = {
    id: 'service:shop',
    name: 'shop',
    label: 'service shop',
    group: 'service',
    kind: 'http+metrics',
    location: 'http://127.0.0.1:1/health',
    status: 'up',
    details: {
      service: {
        up: true,
        endpoints: [],
        crossed: rounds === 2 ? [{ key: 'p95', value: 3100, limit: 2000, text: 'p95 3,100 ms > 2,000 ms' }] : [],
        pending: [],
        vitals: {
          windowMs: 5000,
          sources: {},
          rps: 10 * rounds,
          errorRate: 0.5,
          p50Ms: 20,
          p95Ms: rounds === 2 ? 3100 : 40,
          p99Ms: 90,
          cpuPercent: 12,
          rssBytes: 150e6,
          watched: [{ label: 'orders', metric: 'demo_orders_total', show: 'rate', per: 'minute', value: 3 }],
          notes: [],
        },
      },
    },
  };
  const app: ComponentHealth = {
    id: 'target:app',
    name: 'app',
    label: 'target app',
    group: 'target',
    kind: 'postgres',
    location: 'postgres://127.0.0.1/app',
    status: 'up',
    latencyMs: 4,
    details: { connections: { inUse: 20 + rounds, max: 100, percent: 21, byUser: [] }, crossed: [] },
  };
  const crossed = rounds === 2 ? [{ component: 'service shop', key: 'p95', text: 'p95 3,100 ms > 2,000 ms' }] : [];
  return {
    round: 1,
    rounds: 1,
    checkedAt: new Date(Date.now() + rounds).toISOString(),
    durationMs: 5,
    components: [shop, app],
    down: [],
    crossed,
    ok: crossed.length === 0,
  };
}

test('the Health pane: live values per service and target, a crossed threshold, sparklines with axes over the session', async () => {
  const services = fakeServices({ health: () => round() });
  const app = renderConsole(services, { initialPane: 'health' });
  try {
    let frame = await waitFor(app.lastFrame, (f) => f.includes('svc shop'));
    assert.match(frame, /1 service, 1 target · all up/);
    assert.match(frame, /svc shop\s+up\s+10\.0\/s\s+0\.5%/);
    assert.match(frame, /db app\s+up .*21\/100/);
    assert.match(frame, /req\/s .*┤/, 'a series line with its axis');
    assert.match(frame, /└.*ago .*now/, 'the time axis');
    app.stdin.write('r');
    frame = await waitFor(app.lastFrame, (f) => f.includes('crossed: p95'));
    assert.match(frame, /1 down|0 down, 1 crossed/);
    assert.match(frame, /req\/s\s+0\.0\/s–20\.0\/s ┤▄█\s+20\.0\/s/, 'the y range and the last value');
    app.stdin.write('j');
    frame = await waitFor(app.lastFrame, (f) => /connections\s/.test(f));
    assert.match(frame, /connections\s+0–22 ┤▇█\s+22/);
    // Only reads: the health rounds, and db.top for the running queries of the selected PostgreSQL target (whether it
    // was called by now depends on timing, so it is allowed, not required).
    const names = services.calls.map((c) => c.name);
    assert.ok(
      names.every((n) => n === 'health' || n === 'db.top'),
      JSON.stringify(names),
    );
  } finally {
    app.unmount();
  }
});

/** Waits for the confirmation asking `question`, confirms it (tab to the confirm button, enter), waits for `result`. */
async function confirmThenSee(app: ReturnType<typeof renderConsole>, question: string, result: string) {
  await waitFor(app.lastFrame, (f) => f.includes(question));
  app.stdin.write('\t');
  await tick(50);
  app.stdin.write('\r');
  await waitFor(app.lastFrame, (f) => f.includes(result));
}

function top(input: Record<string, unknown>): ResultFor<'db.top'> {
  return {
    target: String(input.target),
    engine: 'postgres',
    server: 'PostgreSQL 16',
    connections: { inUse: 21, max: 100, percent: 21, byUser: [] },
    queries: [
      { id: 4242, user: 'app', application: 'api', state: 'active', ageMs: 31_000, query: 'SELECT pg_sleep(?)' },
      { id: 4343, user: 'etl', application: 'load', state: 'active', ageMs: 12_000, query: 'UPDATE orders SET x = ?' },
    ],
    locks: [],
    replicationLagMs: null,
    notes: [],
    nearLimit: false,
    longRunning: 1,
  };
}

test('the Health pane cancels the query the operator selects, as a job, after a confirmation naming it', async () => {
  const services = fakeServices({
    health: () => round(),
    'db.top': top,
    'db.cancel': (input) => {
      if (!input.confirm) throw new ConfirmationRequired(`cancel session ${input.id} on target "app"`);
      return { target: 'app', id: input.id, how: 'cancel', done: true };
    },
  });
  const app = renderConsole(services, { initialPane: 'health' });
  try {
    await waitFor(app.lastFrame, (f) => f.includes('db app'));
    app.stdin.write('j');
    let frame = await waitFor(app.lastFrame, (f) => f.includes('#4343 12s etl UPDATE orders'));
    assert.match(frame, /› #4242 31s app SELECT pg_sleep\(\?\)/, 'the oldest is marked first');
    // The key bar follows a render later: wait for it to offer the list.
    await waitFor(app.lastFrame, (f) => /⏎\/l queries {2}c cancel #4242 {2}x terminate {2}m maintain/.test(f));
    app.stdin.write('\r');
    frame = await waitFor(app.lastFrame, (f) => /esc\/h back/.test(f));
    app.stdin.write('j');
    frame = await waitFor(app.lastFrame, (f) => f.includes('› #4343') && f.includes('c cancel #4343'));
    assert.not.match(frame, /m maintain|r refresh/, 'only the keys of the query list work now');
    app.stdin.write('c');
    await confirmThenSee(app, 'cancel session 4343 on target "app"', 'session 4343: statement cancelled');
    const cancels = services.calls.filter((c) => c.name === 'db.cancel');
    assert.equal(cancels.at(-1)!.input, { target: 'app', id: 4343, confirm: true });
  } finally {
    app.unmount();
  }
});

test('m on a target: pick a table and an action, confirm, db.maintain runs as a job with its result shown', async () => {
  const services = fakeServices({
    health: () => round(),
    'db.top': top,
    'db.indexes': (input) => ({
      target: input.target,
      engine: 'postgres',
      server: 'PostgreSQL 16',
      unused: [],
      tables: [
        { table: 'public.orders', rows: 1000, sizeBytes: 8_000_000 },
        { table: 'public.users', rows: 10, sizeBytes: 64_000 },
      ],
      notes: [],
    }),
    'db.maintain': (input) => {
      if (!input.confirm) throw new ConfirmationRequired(`${input.action} table ${input.table} on target "app"`);
      return { target: 'app', table: input.table, action: input.action, sql: `ANALYZE ${input.table}`, durationMs: 7 };
    },
  });
  const app = renderConsole(services, { initialPane: 'health' });
  try {
    await waitFor(app.lastFrame, (f) => f.includes('db app'));
    app.stdin.write('j');
    await waitFor(app.lastFrame, (f) => f.includes('#4242') && f.includes('m maintain'));
    app.stdin.write('m');
    let frame = await waitFor(app.lastFrame, (f) => f.includes('public.users'));
    assert.match(frame, /maintain a table of app/);
    app.stdin.write('j');
    await waitFor(app.lastFrame, (f) => f.includes('› public.users'));
    app.stdin.write('\r');
    frame = await waitFor(app.lastFrame, (f) => f.includes('REINDEX TABLE public.users'));
    assert.match(frame, /› VACUUM ANALYZE public\.users/);
    app.stdin.write('j');
    await waitFor(app.lastFrame, (f) => f.includes('› ANALYZE public.users'));
    app.stdin.write('\r');
    await confirmThenSee(app, 'analyze table public.users on target "app"', 'done: ANALYZE public.users in 7 ms');
    const runs = services.calls.filter((c) => c.name === 'db.maintain');
    assert.equal(runs.at(-1)!.input, { target: 'app', table: 'public.users', action: 'analyze', confirm: true });
  } finally {
    app.unmount();
  }
});

test.run();
