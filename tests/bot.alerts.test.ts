import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { suite, test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ResultFor } from '../commands/catalog.js';
import { backupAgeSource, costLevelSource, runFailedSource, watermarkLagSource } from '../src/bot/alerts/sources.js';
import type { AlertSource } from '../src/bot/alerts/types.js';
import { ConnectionError, ThresholdBreached } from '../src/errors.js';
import { listBotInstances, listOpenIncidents } from '../src/state/bot.js';
import { openStateStore } from '../src/state/open.js';
import { finishRun, startRun } from '../src/state/runs.js';
import { FakeTelegram } from './fakes/telegram.js';
import { fakeOperation, startHarness, TEAM_CHAT, type BotHarness } from './helpers/bot.js';
import { stateEngines } from './helpers/state-engines.js';

/** A pid that provably does not run: a child that has already exited. */
let dead: number | undefined;
function deadPid(): number {
  dead ??= Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
  return dead;
}

const alertsTo = (h: BotHarness) => h.fake.sentTo(TEAM_CHAT).map((m) => m.text);

async function failedRun(h: BotHarness, pipeline: string, error: string) {
  const store = await h.runtime.state();
  const run = await startRun(store, { operation: 'etl.run', pipeline, trigger: 'cron' });
  await finishRun(store, run.id, { status: 'failed', error });
  return run.id;
}

async function succeededRun(h: BotHarness, pipeline: string) {
  const store = await h.runtime.state();
  const run = await startRun(store, { operation: 'etl.run', pipeline, trigger: 'cron' });
  await finishRun(store, run.id, { status: 'succeeded' });
}

// The state store side runs on both engines: incidents survive a restart of the bot.
const engines = stateEngines('opsctl_bot');

for (const engine of engines) {
  const t = suite(`bot alerts on ${engine.name}`);
  t.after(() => engine.cleanup());

  t('a failed run is alerted once, not again after a restart, and once more when it clears', async () => {
    const stateUrl = await engine.url();
    const fake = await new FakeTelegram().start();
    const config = { state: { url: stateUrl } };
    let h = await startHarness({ fake, config, sources: [runFailedSource] });
    try {
      const id = await failedRun(h, 'spotify', 'Spotify answered 503 three times');
      await succeededRun(h, 'dashboards');
      const first = await h.service.alerts.check();
      assert.equal(first.opened, [{ source: 'run-failed', key: 'etl.run:spotify' }]);
      assert.is(alertsTo(h).length, 1);
      assert.match(
        alertsTo(h)[0]!,
        new RegExp(
          `^🚨 Run failed: etl\\.run spotify\\nrun #${id} \\(cron\\) at .* UTC: Spotify answered 503 three times$`,
        ),
      );
      await h.service.alerts.check();
      assert.is(alertsTo(h).length, 1, 'not sent twice');

      // A restarted bot (same state store) does not repeat it.
      await h.service.stop();
      await h.runtime.close();
      h = await startHarness({ fake, config, sources: [runFailedSource] });
      const store = await h.runtime.state();
      assert.equal(
        (await listOpenIncidents(store)).map((i) => i.key),
        ['etl.run:spotify'],
      );
      assert.equal((await listOpenIncidents(store))[0]!.notifiedChats, [TEAM_CHAT]);
      await h.service.alerts.check();
      assert.is(alertsTo(h).length, 1, 'not sent again after the restart');

      // The next run succeeds: cleared, once.
      await succeededRun(h, 'spotify');
      const cleared = await h.service.alerts.check();
      assert.equal(cleared.cleared, [{ source: 'run-failed', key: 'etl.run:spotify' }]);
      assert.match(alertsTo(h)[1]!, /^✅ Resolved: Run failed: etl\.run spotify\nrun #\d+/);
      await h.service.alerts.check();
      assert.is(alertsTo(h).length, 2, 'the clearing is sent once');
      assert.equal(await listOpenIncidents(store), []);
      const metrics = await (await fetch(`${h.service.url}/metrics`)).text();
      assert.match(metrics, /opsctl_bot_alerts_total\{source="run-failed",event="cleared"\} 1/);
    } finally {
      await h.service.stop();
      await h.runtime.close();
      await fake.close();
    }
  });

  t(
    'a running bot is registered in the state store and unregistered when it stops; records of dead bots are pruned',
    async () => {
      const stateUrl = await engine.url();
      const crashed = await openStateStore(stateUrl);
      await crashed.run(
        `INSERT INTO bot_instances (id, host, pid, process_start, health_url, telegram, opsctl_version, started_at, heartbeat_at)
       VALUES (?, ?, ?, NULL, 'http://127.0.0.1:1', 'polling', '0.0.1', ?, ?)`,
        [`${hostname()}:${deadPid()}`, hostname(), deadPid(), new Date().toISOString(), new Date().toISOString()],
      );
      await crashed.close();
      const h = await startHarness({ config: { state: { url: stateUrl } } });
      const store = await h.runtime.state();
      try {
        assert.is((await listBotInstances(store)).length, 1, "the dead bot's record is gone");
        const [instance] = await listBotInstances(store);
        assert.ok(instance);
        assert.is(instance.pid, process.pid);
        assert.is(instance.alive, true);
        assert.is(instance.healthUrl, h.service.url);
        assert.is(instance.telegram, 'polling');
        await h.service.stop();
        assert.equal(await listBotInstances(store), []);
      } finally {
        await h.close();
      }
    },
  );

  t.run();
}

test('alerts reach no chat while Telegram is down, and go out on the next round', async () => {
  const h = await startHarness({ sources: [runFailedSource] });
  try {
    await failedRun(h, 'spotify', 'boom');
    h.fake.setDown(true);
    const round = await h.service.alerts.check();
    assert.equal(round.opened, []);
    assert.equal(await listOpenIncidents(await h.runtime.state()), [], 'not recorded: it reached nobody');
    h.fake.setDown(false);
    const next = await h.service.alerts.check();
    assert.equal(next.opened, [{ source: 'run-failed', key: 'etl.run:spotify' }]);
    assert.match(alertsTo(h).at(-1)!, /Run failed: etl\.run spotify/);
  } finally {
    await h.close();
  }
});

test('cost levels: each level once, a higher one later, all cleared together; the cost gauges follow', async () => {
  const level = (lvl: number, percent: number) => ({ subject: 'budget' as const, level: lvl, percent, crossed: true });
  let levelsCrossed = [level(50, 60)];
  const result = () => ({
    ok: true,
    failAtPercent: 100,
    crossed: levelsCrossed.slice(-1),
    levelsCrossed,
    breaches: [],
    projectedUsd: 0.95,
    budgetUsd: 1,
    budgetPercent: 95,
    queryFreeTierPercent: 0,
    storageFreeTierPercent: 0,
    monthToDateUsd: 0.6,
    checkedAt: new Date().toISOString(),
  });
  const check = fakeOperation('costs.check', result);
  const h = await startHarness({ operations: { 'costs.check': check.fake }, sources: [costLevelSource] });
  try {
    await h.service.alerts.check();
    assert.equal(alertsTo(h), [
      '🚨 Cost level crossed\nbudget at 60% of its allowance by month end: level 50% crossed (projected $0.95 of $1.00)',
    ]);
    levelsCrossed = [level(50, 95), level(90, 95)];
    await h.service.alerts.check();
    assert.equal(alertsTo(h).slice(1), [
      '🚨 Cost level crossed\nbudget at 95% of its allowance by month end: level 90% crossed (projected $0.95 of $1.00)',
    ]);
    await h.service.alerts.check();
    assert.is(alertsTo(h).length, 2);
    const metrics = await (await fetch(`${h.service.url}/metrics`)).text();
    assert.match(metrics, /opsctl_cost_usd\{period="month_to_date"\} 0\.6\n/);
    assert.match(metrics, /opsctl_cost_usd\{period="projected_month"\} 0\.95\n/);
    levelsCrossed = []; // a new month
    await h.service.alerts.check();
    assert.is(alertsTo(h).slice(2).length, 2);
    assert.ok(
      alertsTo(h)
        .slice(2)
        .every((t) => t.startsWith('✅ Resolved: Cost level crossed')),
    );
    assert.is(check.calls[0]!.trigger, 'bot');
  } finally {
    await h.close();
  }
});

test('a costs.check that throws ThresholdBreached is an incident too', async () => {
  const check = fakeOperation(
    'costs.check',
    () => new ThresholdBreached('projected $2.10 crosses the 100% budget level', { details: { projectedUsd: 2.1 } }),
  );
  const h = await startHarness({ operations: { 'costs.check': check.fake }, sources: [costLevelSource] });
  try {
    await h.service.alerts.check();
    assert.equal(alertsTo(h), ['🚨 Cost level crossed\nprojected $2.10 crosses the 100% budget level']);
  } finally {
    await h.close();
  }
});

test('backup age and watermark lag: stale items alert, fresh ones only set their gauges', async () => {
  const fresh = (
    target: string,
    ageHours: number | null,
    reason = '',
  ): ResultFor<'backup.freshness'>['targets'][number] => ({
    target,
    engine: 'postgres',
    newestAt: null,
    newestVerifiedId: ageHours === null ? null : `${target}-1`,
    newestVerifiedAt: null,
    ageSeconds: ageHours === null ? null : ageHours * 3600,
    ageHours,
    maxAgeHours: 24,
    stale: ageHours === null || ageHours > 24,
    absent: false,
    reason,
  });
  const freshness = fakeOperation('backup.freshness', () => ({
    ok: false,
    maxAgeHours: 24,
    checkedAt: new Date().toISOString(),
    targets: [fresh('app', 30), fresh('reco', 2), fresh('empty', null, 'no backup in the catalog')],
  }));
  const watermark = (table: string, value: string, lagSeconds: number) => ({
    pipeline: 'dashboards',
    table,
    target: 'dash',
    incrementalColumn: 'fecha_foto',
    type: 'date' as const,
    lookbackDays: 7,
    value,
    updatedAt: null,
    windowStart: null,
    lagSeconds,
    limitSeconds: 2 * 86_400,
    lagging: lagSeconds > 2 * 86_400,
    lastRun: null,
  });
  const watermarks = fakeOperation('watermarks.list', () => ({
    watermarks: [
      watermark('dashboard_data', '2026-11-01', 5 * 86_400),
      watermark('evolution_data', '2026-11-21', 3_600),
    ],
    checkedAt: new Date().toISOString(),
  }));
  const h = await startHarness({
    operations: { 'backup.freshness': freshness.fake, 'watermarks.list': watermarks.fake },
    sources: [backupAgeSource, watermarkLagSource],
  });
  try {
    const round = await h.service.alerts.check();
    assert.equal(round.sources['backup-age'], { status: 'ok', open: 2 });
    assert.equal(round.sources['watermark-lag'], { status: 'ok', open: 1 });
    assert.equal(alertsTo(h).sort(), [
      '🚨 Backup too old: app\nnewest verified backup is 1d06h old (limit 24h)',
      '🚨 Backup too old: empty\nno backup in the catalog',
      '🚨 Watermark lagging: dashboards/dashboard_data\nlag 5d00h (limit 2d00h); watermark 2026-11-01',
    ]);
    const metrics = await (await fetch(`${h.service.url}/metrics`)).text();
    assert.match(metrics, /opsctl_backup_newest_age_seconds\{target="app"\} 108000\n/);
    assert.match(metrics, /opsctl_backup_newest_age_seconds\{target="reco"\} 7200\n/);
    assert.match(metrics, /opsctl_watermark_lag_seconds\{pipeline="dashboards",table="evolution_data"\} 3600\n/);
  } finally {
    await h.close();
  }
});

test('a source whose operation fails sets no gauge and a failing source keeps its open incidents', async () => {
  let fail = false;
  const flaky: AlertSource = {
    name: 'flaky',
    async check() {
      if (fail) throw new Error('source unreachable');
      return { incidents: [{ key: 'k', title: 'Something', text: 'is wrong' }] };
    },
  };
  const down = () => new ConnectionError('the warehouse does not answer', { hint: 'Check warehouse.bigquery.' });
  const h = await startHarness({
    operations: {
      'costs.check': fakeOperation('costs.check', down).fake,
      'backup.freshness': fakeOperation('backup.freshness', down).fake,
      'watermarks.list': fakeOperation('watermarks.list', down).fake,
    },
    sources: [costLevelSource, backupAgeSource, watermarkLagSource, flaky],
    bot: { health: { details: true } }, // the alert sources' errors are details
  });
  try {
    const round = await h.service.alerts.check();
    for (const name of ['cost-level', 'backup-age', 'watermark-lag'])
      assert.equal(round.sources[name], { status: 'error', open: 0, error: 'the warehouse does not answer' }, name);
    const metrics = await (await fetch(`${h.service.url}/metrics`)).text();
    for (const name of ['opsctl_cost_usd', 'opsctl_backup_newest_age_seconds', 'opsctl_watermark_lag_seconds']) {
      assert.not.match(metrics, new RegExp(`^${name}(\\{| )`, 'm'), `${name} has no sample`);
    }
    assert.is(alertsTo(h).length, 1);
    fail = true;
    const failed = await h.service.alerts.check();
    assert.is(failed.sources.flaky!.status, 'error');
    assert.is(alertsTo(h).length, 1, 'a failed check does not clear anything');
    assert.is((await listOpenIncidents(await h.runtime.state(), 'flaky')).length, 1);
    const health = (await (await fetch(`${h.service.url}/health`)).json()) as {
      alerts: { sources: Record<string, { status: string; error?: string }> };
    };
    assert.equal(health.alerts.sources.flaky, { status: 'error', open: 0, error: 'source unreachable' });
  } finally {
    await h.close();
  }
});

test.run();
