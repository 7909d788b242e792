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
    assert.match(frame, /1 services, 1 targets · all up/);
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
    assert.ok(services.calls.every((c) => c.name === 'health'));
  } finally {
    app.unmount();
  }
});

test('the Health pane cancels the oldest query of the selected target as a job, after a confirmation', async () => {
  const services = fakeServices({
    health: () => round(),
    'db.top': (input) => ({
      target: input.target,
      engine: 'postgres',
      server: 'PostgreSQL 16',
      connections: { inUse: 21, max: 100, percent: 21, byUser: [] },
      queries: [
        { id: 4242, user: 'app', application: 'api', state: 'active', ageMs: 31_000, query: 'SELECT pg_sleep(?)' },
      ],
      locks: [],
      replicationLagMs: null,
      notes: [],
      nearLimit: false,
      longRunning: 1,
    }),
    'db.cancel': (input) => {
      if (!input.confirm) throw new ConfirmationRequired('cancel session 4242 on target "app"');
      return { target: 'app', id: 4242, how: 'cancel', done: true };
    },
  });
  const app = renderConsole(services, { initialPane: 'health' });
  try {
    await waitFor(app.lastFrame, (f) => f.includes('db app'));
    app.stdin.write('j');
    await waitFor(app.lastFrame, (f) => f.includes('#4242 31s app SELECT pg_sleep(?)'));
    app.stdin.write('c');
    await waitFor(app.lastFrame, (f) => f.includes('cancel session 4242 on target "app"'));
    app.stdin.write('\t');
    await tick(50);
    app.stdin.write('\r');
    await waitFor(app.lastFrame, (f) => f.includes('session 4242: statement cancelled'));
    const cancels = services.calls.filter((c) => c.name === 'db.cancel');
    assert.equal(cancels.at(-1)!.input, { target: 'app', id: 4242, confirm: true });
  } finally {
    app.unmount();
  }
});

test.run();
