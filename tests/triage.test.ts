import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ResultFor } from '../commands/catalog.js';
import { formatStatus } from '../src/bot/commands/status.js';
import { insertBackup, recordVerification } from '../src/backups/catalog.js';
import type { BackupManifest } from '../src/backups/manifest.js';
import { openStateStore } from '../src/state/open.js';
import { quarantine } from '../src/state/quarantine.js';
import { finishRun, startRun } from '../src/state/runs.js';
import { setWatermark } from '../src/state/watermarks.js';
import { runCli } from './helpers/cli.js';
import { createPgDatabase } from './helpers/databases.js';
import { EVENTS_TABLE } from './helpers/sync.js';
import { tempDir } from './helpers/tmp.js';

type Triage = ResultFor<'status.triage'>;

/** A pid that provably does not run: a child that has already exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
}

test('status lists what is wrong (failed pipeline, lag, stale backup, quarantine, orphaned run), ranked; exit 1 on critical', async () => {
  const db = await createPgDatabase('opsctl_triage');
  try {
    const dir = tempDir('opsctl-triage-');
    writeFileSync(
      join(dir, 'opsctl.config.json'),
      JSON.stringify({
        home: './home',
        warehouse: { kind: 'duckdb', duckdb: { path: join(dir, 'warehouse.duckdb') } },
        targets: { dash: { engine: 'postgres', url: db.url } },
        backups: { maxAgeHours: 24 },
        pipelines: { pulso: { kind: 'sync', target: 'dash', tables: { events: EVENTS_TABLE } } },
      }),
    );
    const store = await openStateStore(`sqlite:${join(dir, 'home', 'state.db')}`);
    try {
      const ok = await startRun(store, { operation: 'sync.run', pipeline: 'pulso' });
      await finishRun(store, ok.id, { status: 'succeeded' });
      for (const error of ['first failure', 'connection reset by peer']) {
        const r = await startRun(store, { operation: 'sync.run', pipeline: 'pulso' });
        await finishRun(store, r.id, { status: 'failed', error });
      }
      await setWatermark(store, { pipeline: 'pulso', table: 'events', value: '2026-01-01', type: 'date' });
      await quarantine(
        store,
        [1, 2, 3, 4].map((i) => ({
          runId: ok.id,
          pipeline: 'pulso',
          table: 'events',
          reason: `bad ${i}`,
          payload: { i },
        })),
      );
      const old = new Date(Date.now() - 3 * 86_400_000).toISOString();
      await insertBackup(
        store,
        {
          id: 'dash-old',
          target: 'dash',
          engine: 'postgres',
          format: 'custom',
          sizeBytes: 10,
          sha256: 'x',
          serverVersion: '16',
          toolVersion: 'pg_dump 16',
          startedAt: old,
          finishedAt: old,
          tables: [],
        } as unknown as BackupManifest,
        join(dir, 'dash-old.dump'),
      );
      await recordVerification(store, 'dash-old', { status: 'passed', at: old });
      const orphan = await startRun(store, { operation: 'backup.verify', pipeline: 'reports' });
      await store.run('UPDATE runs SET pid = ?, process_start = NULL WHERE id = ?', [deadPid(), orphan.id]);
    } finally {
      await store.close();
    }

    const r = await runCli(['status', '--json'], { cwd: dir });
    assert.is(r.code, 1, r.stderr);
    const doc = JSON.parse(r.stdout) as Triage;
    const byId = new Map(doc.items.map((i) => [i.id, i]));
    assert.equal(
      doc.items.map((i) => [i.severity, i.id]),
      [
        ['critical', 'run-failed:pulso'],
        ['critical', 'backup-age:dash'],
        ['warning', 'watermark-lag:pulso/events'],
        ['warning', 'orphaned:4'],
        ['warning', 'quarantine:pulso/events'],
      ],
    );
    assert.equal([doc.critical, doc.warning], [2, 3]);
    const failed = byId.get('run-failed:pulso')!;
    assert.equal([failed.count, failed.command, failed.pane, failed.subject], [2, 'opsctl etl show 3', 'runs', '3']);
    assert.match(failed.detail, /^2 failures since the last success .*connection reset by peer/);
    assert.ok(failed.since !== null);
    assert.match(byId.get('backup-age:dash')!.title, /dash: newest verified backup older than 24 h/);
    assert.is(byId.get('backup-age:dash')!.command, 'opsctl backup create dash');
    assert.is(byId.get('watermark-lag:pulso/events')!.command, 'opsctl sync run --table pulso/events');
    assert.match(byId.get('orphaned:4')!.detail, /exited without finishing the run/);
    assert.equal(
      [byId.get('quarantine:pulso/events')!.count, byId.get('quarantine:pulso/events')!.command],
      [4, 'opsctl quarantine list --pipeline pulso --table events'],
    );
    assert.ok(
      doc.sources.every((s) => s.ok),
      JSON.stringify(doc.sources),
    );
    assert.is(doc.components.find((c) => c.id === 'target:dash')?.status, 'up');

    const text = await runCli(['status'], { cwd: dir });
    assert.is(text.code, 1);
    assert.match(text.stdout, /2 critical problems, 3 warnings/);
    assert.match(text.stdout, /CRIT pipeline pulso: last run #3 failed \(since .* ago\)\n.*\n\s+→ opsctl etl show 3/);

    // The bot's /status reads the same result.
    const reply = formatStatus(doc);
    assert.match(reply, /^❌ /);
    assert.match(reply, /🔴 <b>pipeline pulso: last run #3 failed<\/b>/);
    assert.match(reply, /<code>opsctl etl show 3<\/code>/);
    assert.match(reply, /🟡 <b>1 record quarantined|🟡 <b>4 records quarantined/);
  } finally {
    await db.drop();
  }
});

test.run();
