import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfirmationRequired } from '../../src/errors.js';
import type { MigrateStatusResult, MigrationEntry, TargetMigrationStatus } from '../../src/migrations/types.js';
import { fakeServices, renderConsole, tick, waitFor } from '../helpers/console.js';

const entry = (
  version: string,
  name: string,
  state: MigrationEntry['state'],
  extra: Partial<MigrationEntry> = {},
): MigrationEntry => ({
  version,
  name,
  state,
  ...(state !== 'pending'
    ? { appliedAt: '2026-11-30T10:00:00.000Z', durationMs: 42, appliedBy: 'ops@host pid 1' }
    : {}),
  ...extra,
});

function target(
  name: string,
  migrations: MigrationEntry[],
  extra: Partial<TargetMigrationStatus> = {},
): TargetMigrationStatus {
  const of = (...s: MigrationEntry['state'][]) => migrations.filter((m) => s.includes(m.state));
  return {
    target: name,
    engine: 'postgres',
    location: `postgres://db/${name}`,
    production: false,
    dir: `/ws/migrations/${name}`,
    historyExists: true,
    current: of('applied', 'drifted').at(-1)?.version ?? null,
    migrations,
    applied: of('applied', 'baseline', 'drifted'),
    pending: of('pending'),
    drifted: of('drifted'),
    missing: of('missing'),
    dirty: null,
    ...extra,
  };
}

function status(): MigrateStatusResult {
  return {
    ok: false,
    unconfigured: [],
    targets: [
      target(
        'app',
        [
          entry('001', 'dashboard_tables', 'applied'),
          entry('002', 'etl_state', 'drifted', {
            file: '/ws/migrations/app/002_etl_state.sql',
            checksum: { file: 'aaaaaaaaaaaaaaaa', recorded: 'bbbbbbbbbbbbbbbb' },
          }),
          entry('003', 'invoice_indexes', 'pending'),
        ],
        { production: true },
      ),
      target('reco', [entry('001', 'recommendations', 'applied'), entry('002', 'recommendation_indexes', 'dirty')], {
        engine: 'mysql',
        dirty: {
          version: '002',
          name: 'recommendation_indexes',
          operation: 'up',
          statementsTotal: 4,
          statementsDone: 2,
          failedStatement: 3,
          error: "Key column 'no_such_column' doesn't exist in table",
          ran: ['CREATE INDEX idx_a ON recommendations (user_id)', 'CREATE INDEX idx_b ON recommendations (item_id)'],
          failed: 'CREATE INDEX idx_c ON recommendations (no_such_column)',
          notRun: ['CREATE INDEX idx_d ON recommendations (created_at)'],
        },
      }),
    ],
  };
}

test('the Migrations pane shows each target, highlights drift, and lists a dirty migration statement by statement', async () => {
  const services = fakeServices({ 'migrate.status': () => status() });
  const app = renderConsole(services, { initialPane: 'migrations' });
  try {
    let frame = await waitFor(app.lastFrame, (f) => f.includes('invoice_indexes') && f.includes('u up'));
    assert.match(frame, /app postgres postgres:\/\/db\/app PRODUCTION · at 002 · 2 applied · 1 pending · 1 drifted/);
    assert.match(frame, /002\s+etl_state\s+drifted/);
    assert.match(frame, /003\s+invoice_indexes\s+pending/);
    // As `migrate status` prints it, whatever row is selected: the file, the version and both checksums, whole.
    assert.match(
      frame.replace(/\s*\n\s*/g, ' '),
      /drift: \/ws\/migrations\/app\/002_etl_state\.sql \(version 002\) changed after it was applied: checksum aaaaaaaaaaaa, recorded bbbbbbbbbbbb/,
    );
    app.stdin.write('t');
    // Nothing pending on reco: up leaves the key bar.
    frame = await waitFor(app.lastFrame, (f) => f.includes('DIRTY') && f.includes('d down') && !f.includes('u up'));
    assert.match(frame, /dirty: up of 002_recommendation_indexes stopped after 2 of 4 statements/);
    assert.match(frame, /ran\s+1\. CREATE INDEX idx_a/);
    assert.match(frame, /FAILED\s+3\. CREATE INDEX idx_c ON recommendations \(no_such_column\): Key column/);
    assert.match(frame, /not run 4\. CREATE INDEX idx_d/);
  } finally {
    app.unmount();
  }
});

test('dry-run shows the SQL; up shows progress and reads the status again', async () => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const services = fakeServices({
    'migrate.status': () => status(),
    'migrate.up': async (input, options) => {
      if (input.dryRun)
        return {
          target: 'app',
          engine: 'postgres',
          dryRun: true,
          current: '002',
          done: [],
          plan: [
            {
              version: '003',
              name: 'invoice_indexes',
              direction: 'up',
              transaction: true,
              statements: ['CREATE INDEX ix_invoices_org_created ON invoices (organization_id, created_at DESC)'],
            },
          ],
        };
      options.onProgress?.({
        phase: 'up 003_invoice_indexes (1/1)',
        done: 1,
        total: 2,
        note: 'CREATE INDEX ix_invoices_org_deleted',
      });
      await gate;
      return {
        target: 'app',
        engine: 'postgres',
        dryRun: false,
        current: '003',
        plan: [],
        done: [{ version: '003', name: 'invoice_indexes', direction: 'up', statements: 2, durationMs: 5 }],
      };
    },
  });
  const app = renderConsole(services, { initialPane: 'migrations' });
  try {
    await waitFor(app.lastFrame, (f) => f.includes('invoice_indexes') && f.includes('p dry-run'));
    app.stdin.write('p');
    let frame = await waitFor(app.lastFrame, (f) =>
      f.includes('CREATE INDEX ix_invoices_org_created ON invoices (organization_id, created_at DESC);'),
    );
    assert.match(frame, /dry run: up on app \(nothing is changed\)/);
    assert.equal(
      services.calls.filter((c) => c.name === 'migrate.up').map((c) => c.input),
      [{ target: 'app', dryRun: true }],
    );
    // app is a production target: u asks for its name, like d; Enter on Cancel (the focus) applies nothing.
    app.stdin.write('u');
    frame = await waitFor(app.lastFrame, (f) => f.includes('Type app to enable Apply'));
    assert.match(frame, /apply 1 pending migration \(003_invoice_indexes\) on target "app" \(PRODUCTION\)/);
    await waitFor(app.lastFrame, (f) => f.includes('esc cancel'));
    app.stdin.write('\r');
    await waitFor(app.lastFrame, (f) => !f.includes('Type app'));
    await tick(100);
    assert.is(services.calls.filter((c) => c.name === 'migrate.up' && !c.input.dryRun).length, 0);
    app.stdin.write('u');
    await waitFor(app.lastFrame, (f) => f.includes('Type app to enable Apply') && f.includes('esc cancel'));
    app.stdin.write('\u001B[C'); // → to Apply: refused until the name is typed
    await waitFor(app.lastFrame, (f) => f.includes('⏎ apply'));
    app.stdin.write('\r');
    await tick(100);
    assert.is(services.calls.filter((c) => c.name === 'migrate.up' && !c.input.dryRun).length, 0);
    app.stdin.write('app');
    await waitFor(app.lastFrame, (f) => f.includes('> app'));
    app.stdin.write('\r');
    frame = await waitFor(app.lastFrame, (f) => f.includes('up 003_invoice_indexes (1/1)'));
    assert.match(frame, /1\/2 statements 50%/);
    assert.match(frame, /CREATE INDEX ix_invoices_org_deleted/);
    release();
    frame = await waitFor(app.lastFrame, (f) => f.includes('applied 1 on app; now at 003'));
    await waitFor(
      () => String(services.calls.filter((c) => c.name === 'migrate.status').length),
      (n) => Number(n) >= 2,
    );
  } finally {
    app.unmount();
  }
});

test('down asks first; on a production target the name must be typed before it runs', async () => {
  const services = fakeServices({
    'migrate.status': () => status(),
    'migrate.down': (input) => {
      // Like the real operation on a production target: only the typed name confirms, confirm: true is not enough.
      if (input.confirmTarget !== 'app')
        throw new ConfirmationRequired('roll back 002_etl_state on target "app" (PRODUCTION)', { typed: 'app' });
      return {
        target: 'app',
        engine: 'postgres',
        dryRun: false,
        current: '001',
        plan: [],
        done: [{ version: '002', name: 'etl_state', direction: 'down', statements: 1, durationMs: 3 }],
      };
    },
  });
  const app = renderConsole(services, { initialPane: 'migrations' });
  try {
    await waitFor(app.lastFrame, (f) => f.includes('invoice_indexes') && f.includes('d down'));
    app.stdin.write('d');
    let frame = await waitFor(app.lastFrame, (f) => f.includes('Confirm'));
    assert.match(frame, /roll back 002_etl_state on target "app" \(PRODUCTION\)/);
    assert.match(frame, /Type app to enable Roll back/);
    await waitFor(app.lastFrame, (f) => f.includes('esc cancel'));
    app.stdin.write('\u001B[C'); // → to the Roll back button
    await waitFor(app.lastFrame, (f) => f.includes('⏎ roll back'));
    app.stdin.write('\r');
    await tick(100);
    assert.is(services.calls.filter((c) => c.name === 'migrate.down').length, 1, 'not run before the name is typed');
    for (const ch of 'app') {
      app.stdin.write(ch);
      await tick();
    }
    app.stdin.write('\r');
    frame = await waitFor(app.lastFrame, (f) => f.includes('rolled back 002 on app'));
    assert.equal(
      services.calls.filter((c) => c.name === 'migrate.down').map((c) => c.input),
      [
        { target: 'app', steps: 1 },
        { target: 'app', steps: 1, confirm: true, confirmTarget: 'app' },
      ],
    );
  } finally {
    app.unmount();
  }
});

test.run();
