import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BackupFreshnessResult } from '../../commands/backup/freshness.js';
import type { BackupListResult } from '../../commands/backup/list.js';
import type { BackupVerifyResult } from '../../commands/backup/verify.js';
import type { BackupEntry } from '../../src/backups/catalog.js';
import { ConfirmationRequired } from '../../src/errors.js';
import { fakeServices, renderConsole, tick, waitFor } from '../helpers/console.js';

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

function entry(target: string, id: string, h: number, verified: boolean, failed = false): BackupEntry {
  return {
    id,
    target,
    engine: 'postgres',
    path: `/b/${id}.dump`,
    format: 'custom',
    sizeBytes: 12 * 1024 ** 2,
    sha256: 'c'.repeat(64),
    serverVersion: 'PostgreSQL 15',
    tool: 'pg_dump 15',
    startedAt: hoursAgo(h),
    finishedAt: hoursAgo(h),
    verified,
    verifyStatus: failed ? 'failed' : verified ? 'passed' : null,
    verifiedAt: verified || failed ? hoursAgo(h - 0.1) : null,
    verifyError: null,
    tables: [],
  };
}

const list: BackupListResult = {
  maxAgeHours: 24,
  backups: [
    entry('app', 'app-newest', 30, true),
    entry('app', 'app-older', 54, true),
    entry('reco', 'reco-1', 2, false, true),
  ],
};
const freshness: BackupFreshnessResult = {
  ok: false,
  maxAgeHours: 24,
  checkedAt: new Date().toISOString(),
  targets: [
    {
      target: 'app',
      engine: 'postgres',
      newestAt: hoursAgo(30),
      newestVerifiedId: 'app-newest',
      newestVerifiedAt: hoursAgo(30),
      ageSeconds: 108_000,
      ageHours: 30,
      maxAgeHours: 24,
      stale: true,
      absent: false,
      reason: '',
    },
    {
      target: 'reco',
      engine: 'mysql',
      newestAt: hoursAgo(2),
      newestVerifiedId: null,
      newestVerifiedAt: null,
      ageSeconds: null,
      ageHours: null,
      maxAgeHours: 24,
      stale: true,
      absent: false,
      reason: '',
    },
  ],
};

test('the Backups pane lists backups per target with size, age and verification, and marks a stale newest backup', async () => {
  const services = fakeServices({ 'backup.list': () => list, 'backup.freshness': () => freshness });
  const app = renderConsole(services, { initialPane: 'backups' });
  try {
    const frame = await waitFor(app.lastFrame, (f) => f.includes('app-older') && f.includes('v verify'));
    assert.match(frame, /app STALE 1d/);
    assert.match(frame, /reco no verified backup/);
    assert.match(frame, /app\s+app-newest\s+postgres\s+12\.0 MiB\s+1d\S* ago STALE\s+yes/);
    assert.not.match(frame, /app-older[^\n]*STALE/, 'only the newest backup of a target can be stale');
    assert.match(frame, /reco-1[^\n]*FAILED/);
    for (const key of ['c create local', 'v verify', 'R restore', 'p prune']) assert.ok(frame.includes(key), key);
    app.stdin.write('/');
    await waitFor(app.lastFrame, (f) => f.includes('apply filter'));
    await tick(50);
    app.stdin.write('reco');
    await waitFor(app.lastFrame, (f) => !f.includes('app-older') && f.includes('reco-1'));
  } finally {
    app.unmount();
  }
});

test('verify runs on the selected backup, shows its progress and outcome, then reads the catalog again', async () => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const services = fakeServices({
    'backup.list': () => list,
    'backup.freshness': () => freshness,
    'backup.verify': async (input, options) => {
      options.onProgress?.({ phase: 'restore', done: 1, total: 3, note: 'opsctl_verify_app_x' });
      await gate;
      return {
        ok: true,
        backup: list.backups[1]!,
        steps: [{ step: 'row counts', ok: true, detail: '3 tables, 503 rows, all equal to the manifest' }],
        scratch: 'x',
        mismatches: [],
        contentChecked: true,
        contentMismatches: [],
        tablesChecked: 3,
        rowsChecked: 503,
        verifiedAt: new Date().toISOString(),
        durationMs: 5,
      } satisfies BackupVerifyResult;
    },
  });
  const app = renderConsole(services, { initialPane: 'backups' });
  try {
    await waitFor(app.lastFrame, (f) => f.includes('app-older') && f.includes('v verify'));
    await tick(50);
    app.stdin.write('j');
    await waitFor(app.lastFrame, (f) => f.includes('app-older · /b/app-older.dump'));
    await tick(50);
    app.stdin.write('v');
    await waitFor(app.lastFrame, (f) => /verify · restore opsctl_verify_app_x\s+█+/.test(f) && f.includes('1/3'));
    assert.equal(
      services.calls.filter((c) => c.name === 'backup.verify').map((c) => c.input),
      [{ backup: 'app-older' }],
    );
    release();
    await waitFor(app.lastFrame, (f) =>
      f.includes('verified app-older: 3 tables, 503 rows, all equal to the manifest'),
    );
    await waitFor(
      () => String(services.calls.filter((c) => c.name === 'backup.list').length),
      (n) => Number(n) >= 2,
    );
  } finally {
    app.unmount();
  }
});

test('restore asks first with Cancel focused; only an explicit confirm runs it with confirm: true', async () => {
  const services = fakeServices({
    'backup.list': () => list,
    'backup.freshness': () => freshness,
    'backup.restore': (input) => {
      if (input.confirm !== true)
        throw new ConfirmationRequired(
          `restore ${String(input.backup)} into target "app", replacing the tables it holds`,
          { typed: 'app' },
        );
      return {
        backup: list.backups[0]!,
        target: 'app',
        replaced: [{ table: 'public.t', rowsBefore: 1, rowsAfter: 3 }],
        created: [],
        removed: [],
        untouched: [],
        matchesManifest: true,
        mismatches: [],
        durationMs: 3,
      };
    },
  });
  const app = renderConsole(services, { initialPane: 'backups' });
  try {
    await waitFor(app.lastFrame, (f) => f.includes('app-newest') && f.includes('R restore'));
    await tick(50);
    app.stdin.write('R');
    let frame = await waitFor(app.lastFrame, (f) => f.includes('Confirm'));
    await tick(100);
    assert.match(frame, /restore app-newest into target "app"/);
    assert.match(frame, /Type app to enable Restore/);
    app.stdin.write('\r');
    await waitFor(app.lastFrame, (f) => !f.includes('Type app'));
    await tick(100);
    assert.is(services.calls.filter((c) => c.name === 'backup.restore').length, 1, 'Enter on Cancel runs nothing');

    app.stdin.write('R');
    await waitFor(app.lastFrame, (f) => f.includes('Type app'));
    await tick(100);
    app.stdin.write('\u001B[C'); // → to Restore, without the typed name: refused
    await waitFor(app.lastFrame, (f) => f.includes('⏎ restore'));
    app.stdin.write('\r');
    await tick(100);
    assert.is(services.calls.filter((c) => c.name === 'backup.restore').length, 2, 'not yet confirmed');
    app.stdin.write('app');
    await waitFor(app.lastFrame, (f) => f.includes('> app'));
    app.stdin.write('\r');
    frame = await waitFor(app.lastFrame, (f) => f.includes('restored app-newest into app')).catch((e) => {
      throw new Error(JSON.stringify(services.calls) + e.message);
    });
    assert.match(frame, /1 tables replaced/);
    assert.equal(
      services.calls.filter((c) => c.name === 'backup.restore').map((c) => c.input.confirm),
      [undefined, undefined, true],
    );
  } finally {
    app.unmount();
  }
});

test('after c, the new backup is the selected row and v verifies it, whatever row was selected before', async () => {
  let created = false;
  const fresh = entry('local', 'local-new', 0.1, false);
  const services = fakeServices({
    'backup.list': () => (created ? { ...list, backups: [fresh, ...list.backups] } : list),
    'backup.freshness': () =>
      created
        ? {
            ...freshness,
            targets: [{ ...freshness.targets[0]!, target: 'local', ageSeconds: 360, ageHours: 0.1, stale: false }],
          }
        : freshness,
    'backup.create': () => {
      created = true;
      return { backup: fresh, manifestPath: '/b/local-new.json', durationMs: 5 };
    },
    'backup.verify': (input) => {
      throw new Error(`stop here: verifying ${String(input.backup)}`);
    },
  });
  const app = renderConsole(services, { initialPane: 'backups' });
  try {
    await waitFor(app.lastFrame, (f) => f.includes('app-older') && f.includes('c create local'));
    await tick(50);
    app.stdin.write('j');
    await waitFor(app.lastFrame, (f) => f.includes('app-older · /b/app-older.dump'));
    await tick(50);
    app.stdin.write('c');
    // The catalog is read again with the new backup on top; the selection moves to it, not to whatever row 2 now is.
    const frame = await waitFor(app.lastFrame, (f) => f.includes('local-new · /b/local-new.dump'));
    assert.match(frame, /created local-new \(12\.0 MiB\); verify it with v/);
    // Freshness in the format every face uses (6m), not hours with a decimal (0.1h).
    assert.match(frame, /local ok 6m/);
    await tick(50);
    app.stdin.write('v');
    await waitFor(app.lastFrame, (f) => f.includes('verify failed'));
    assert.equal(
      services.calls.filter((c) => c.name === 'backup.verify').map((c) => c.input),
      [{ backup: 'local-new' }],
    );
  } finally {
    app.unmount();
  }
});

test.run();
