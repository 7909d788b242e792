import { test } from 'uvu';
import { configSchema } from '../src/config/schema.js';
import { buildReport } from '../src/costs/report.js';
import * as assert from 'uvu/assert';
import { ConfigError, ConfirmationRequired, OperationFailed } from '../src/errors.js';
import { REFUSAL } from '../src/bot/dispatcher.js';
import { FakeTelegram } from './fakes/telegram.js';
import { fakeOperation, startHarness, STRANGER_CHAT, TEAM_CHAT } from './helpers/bot.js';
import type { ResultFor } from '../commands/catalog.js';

type RunListItem = ResultFor<'etl.history'>['runs'][number];
type Backup = ResultFor<'backup.list'>['backups'][number];
type Watermark = ResultFor<'watermarks.list'>['watermarks'][number];

/** A run as etl.history and etl.run return it, with these fields set. */
const runItem = (
  r: Partial<RunListItem> & Pick<RunListItem, 'id' | 'pipeline' | 'status' | 'startedAt'>,
): RunListItem => ({
  kind: 'spotify',
  operation: 'etl.run',
  trigger: 'cron',
  host: 'h',
  pid: 1,
  finishedAt: null,
  durationMs: null,
  dryRun: false,
  rowsExtracted: 0,
  rowsLoaded: 0,
  rowsRejected: 0,
  unavailable: [],
  error: null,
  orphanReason: null,
  progress: null,
  ...r,
});
type MigrationEntry = ResultFor<'migrate.status'>['targets'][number]['applied'][number];
const mig = (version: string, state: MigrationEntry['state']): MigrationEntry => ({
  version,
  name: `m${version}`,
  state,
});

/** A backup as backup.list returns it, with these fields set. */
const backupItem = (b: Pick<Backup, 'target' | 'finishedAt' | 'sizeBytes' | 'verified'>): Backup => ({
  id: `${b.target}-${b.finishedAt}`,
  engine: 'postgres',
  path: `/backups/${b.target}.dump`,
  format: 'custom',
  sha256: '0'.repeat(64),
  serverVersion: '16.4',
  tool: 'pg_dump',
  startedAt: b.finishedAt,
  verifyStatus: b.verified ? 'passed' : null,
  verifiedAt: b.verified ? b.finishedAt : null,
  verifyError: null,
  tables: [],
  ...b,
});

/** A synced table as watermarks.list returns it, with these fields set. */
const watermarkItem = (
  w: Pick<Watermark, 'pipeline' | 'table' | 'value' | 'lagSeconds' | 'limitSeconds' | 'lagging'>,
): Watermark => ({
  target: 'dash',
  incrementalColumn: 'fecha_foto',
  type: 'date',
  lookbackDays: 7,
  updatedAt: null,
  windowStart: null,
  lastRun: null,
  ...w,
});

test("an allowlisted chat's /status gets the Overview from the status operation", async () => {
  const h = await startHarness();
  try {
    const answer = await h.ask(TEAM_CHAT, '/status');
    assert.match(answer.text, /opsctl \d+\.\d+\.\d+/);
    assert.match(answer.text, /✅ state store — SQLite \d/);
    assert.match(answer.text, /⚪ warehouse — absent/);
    assert.match(answer.text, /target local — absent/);
    assert.match(answer.html, /<b>state store<\/b>/, 'sent as HTML');
    const sent = h.fake.sent('sendMessage').at(-1)!;
    assert.is(sent.params.parse_mode, 'HTML');
    const log = await h.waitForLog((r) => r.msg === 'bot: /status answered');
    assert.is(log.chatId, TEAM_CHAT);
    assert.type(log.durationMs, 'number');
  } finally {
    await h.close();
  }
});

test("a stranger's /status gets a refusal with no data, and the attempt is logged with the chat id", async () => {
  const h = await startHarness();
  try {
    const answer = await h.ask(STRANGER_CHAT, '/status');
    assert.is(answer.text, REFUSAL);
    for (const leak of [/state/i, /sqlite/i, /opsctl \d/, /local/, new RegExp(h.home)])
      assert.not.match(answer.text, leak);
    const refusal = h.logs.find((r) => r.level === 'warn' && /refused a chat/.test(r.msg));
    assert.ok(refusal, 'the refusal is logged');
    assert.is(refusal.chatId, STRANGER_CHAT);
    assert.is(refusal.text, '/status');
    // The status operation never ran for the stranger: no probe of the state store happened for it.
    assert.not.ok(h.logs.some((r) => r.msg === 'bot: /status answered' && r.chatId === STRANGER_CHAT));
  } finally {
    await h.close();
  }
});

test('/help lists every command with its usage, and the menu set at Telegram lists the same', async () => {
  const h = await startHarness();
  try {
    const { text } = await h.ask(TEAM_CHAT, '/help');
    const usages = ['/status', '/runs [pipeline]', '/run <pipeline>', '/costs', '/watermarks', '/backups [target]'];
    for (const usage of [...usages, '/migrations [target]', '/help']) assert.ok(text.includes(`${usage} — `), usage);
    assert.match(text, /\/runs \[pipeline\] — The latest pipeline runs\n/);
    const menu = h.fake.sent('setMyCommands')[0]!;
    assert.equal(
      (JSON.parse(String(menu.params.commands)) as Array<{ command: string }>).map((c) => c.command),
      ['status', 'runs', 'run', 'costs', 'watermarks', 'backups', 'migrations', 'help'],
    );
  } finally {
    await h.close();
  }
});

test('the commands answer from the real operations of the catalog on a fresh workspace', async () => {
  const h = await startHarness();
  try {
    assert.match((await h.ask(TEAM_CHAT, '/runs')).text, /^Latest runs\nNo runs recorded yet\.$/);
    assert.match((await h.ask(TEAM_CHAT, '/watermarks')).text, /^Watermarks\nNo watermarks yet: no sync has run\.$/);
    assert.match((await h.ask(TEAM_CHAT, '/backups')).text, /^Backups\nNo backups in the catalog\.$/);
    const metrics = await (await fetch(`${h.service.url}/metrics`)).text();
    assert.match(metrics, /opsctl_bot_messages_total\{command="runs",outcome="answered"\} 1/);
  } finally {
    await h.close();
  }
});

/** What etl.run returns when `pipeline` succeeded: run #7, 150 rows, one note. */
const succeeded = (pipeline: string): ResultFor<'etl.run'> => ({
  ok: true,
  dryRun: false,
  failures: [],
  orphansClosed: 0,
  executions: [
    {
      pipeline,
      kind: 'spotify',
      status: 'succeeded',
      run: runItem({
        id: 7,
        pipeline,
        status: 'succeeded',
        durationMs: 61_000,
        startedAt: new Date().toISOString(),
        rowsLoaded: 150,
      }),
      outcome: {
        tables: [
          { table: 'tracks', extracted: 120, loaded: 120, rejected: 0, status: 'ok' },
          { table: 'artists', extracted: 30, loaded: 30, rejected: 0, status: 'ok' },
        ],
        notes: ['audio features unavailable (403)'],
      },
    },
  ],
});

test('/run does nothing until the confirmation button; Cancel runs nothing; the button works once', async () => {
  const etlRun = fakeOperation('etl.run', (input) => succeeded(input.pipelines![0]!));
  const h = await startHarness({
    operations: { 'etl.run': etlRun.fake },
    config: { pipelines: { spotify: { kind: 'spotify' } } },
  });
  try {
    const question = await h.ask(TEAM_CHAT, '/run spotify');
    assert.match(question.text, /Run pipeline spotify now\?/);
    assert.equal(
      question.buttons.map((b) => b.text),
      ['▶ Run spotify', 'Cancel'],
    );
    assert.is(etlRun.calls.length, 0, 'asking runs nothing');

    // Cancel: nothing runs, the question says so.
    h.fake.pushCallback(TEAM_CHAT, question.message_id, question.buttons[1]!.data);
    await h.fake.waitFor(
      () => h.fake.message(TEAM_CHAT, question.message_id)?.text.startsWith('✖ Cancelled'),
      10_000,
      'cancelled',
    );
    assert.is(etlRun.calls.length, 0);
    assert.is(h.fake.message(TEAM_CHAT, question.message_id)!.reply_markup, undefined, 'the buttons are gone');

    // Ask again and confirm: exactly one run, with the bot trigger.
    const again = await h.ask(TEAM_CHAT, '/run spotify');
    const before = h.fake.sentTo(TEAM_CHAT).length;
    h.fake.pushCallback(TEAM_CHAT, again.message_id, again.buttons[0]!.data);
    const result = await h.fake.waitFor(() => h.fake.sentTo(TEAM_CHAT)[before], 10_000, 'the run result');
    assert.is(etlRun.calls.length, 1);
    assert.equal(etlRun.calls[0]!.input, { pipelines: ['spotify'] });
    assert.is(etlRun.calls[0]!.trigger, 'bot');
    assert.match(result.text, /Pipeline spotify finished/);
    assert.match(result.text, /#7 · spotify .* 1m01s · 150 rows/);
    assert.match(result.text, /audio features unavailable \(403\)/);
    const answers = h.fake.sent('answerCallbackQuery');
    assert.equal(
      answers.map((a) => a.params.text),
      ['Cancelled.', 'Starting…'],
    );
    assert.match(h.fake.message(TEAM_CHAT, again.message_id)!.text, /Ran spotify \(confirmed by @tester1001\)/);

    // Pressing the same button again runs nothing.
    h.fake.pushCallback(TEAM_CHAT, again.message_id, again.buttons[0]!.data);
    await h.fake.waitFor(() => h.fake.sent('answerCallbackQuery').length === 3, 10_000, 'the second press answered');
    assert.match(String(h.fake.sent('answerCallbackQuery')[2]!.params.text), /expired/);
    assert.is(etlRun.calls.length, 1);
  } finally {
    await h.close();
  }
});

test('the button confirms an operation that asks for it, but never one that needs a typed word', async () => {
  let typed: string | undefined;
  // Like a destructive operation: refuses until its input says confirm: true (production: until a word is typed).
  const etlRun = fakeOperation('etl.run', (input) =>
    Object.hasOwn(input, 'confirm') && !typed
      ? succeeded('spotify')
      : new ConfirmationRequired('overwrite the spotify tables', typed ? { typed } : {}),
  );
  const h = await startHarness({
    operations: { 'etl.run': etlRun.fake },
    config: { pipelines: { spotify: { kind: 'spotify' } } },
  });
  const press = async () => {
    const question = await h.ask(TEAM_CHAT, '/run spotify');
    const before = h.fake.sentTo(TEAM_CHAT).length;
    h.fake.pushCallback(TEAM_CHAT, question.message_id, question.buttons[0]!.data);
    return (await h.fake.waitFor(() => h.fake.sentTo(TEAM_CHAT)[before], 10_000, 'the answer')).text;
  };
  try {
    assert.match(await press(), /Pipeline spotify finished/);
    assert.equal(
      etlRun.calls.map((c) => c.input),
      [{ pipelines: ['spotify'] }, { pipelines: ['spotify'], confirm: true }],
    );
    typed = 'prod';
    assert.match(await press(), /^⛔ Run spotify: overwrite the spotify tables\nneeds the word "prod" typed/);
    assert.is(etlRun.calls.length, 3, 'asked once, not confirmed by the button');
  } finally {
    await h.close();
  }
});

test('/run with an unknown or no pipeline lists the configured ones and asks nothing', async () => {
  const etlRun = fakeOperation('etl.run', () => new Error('never asked'));
  const h = await startHarness({
    operations: { 'etl.run': etlRun.fake },
    config: { pipelines: { spotify: { kind: 'spotify' } } },
  });
  try {
    const unknown = await h.ask(TEAM_CHAT, '/run nope');
    assert.match(unknown.text, /Unknown pipeline nope\.\nPipelines: spotify/);
    assert.equal(unknown.buttons, []);
    const bare = await h.ask(TEAM_CHAT, '/run');
    assert.match(bare.text, /Usage: \/run <pipeline>/);
    assert.is(etlRun.calls.length, 0);
  } finally {
    await h.close();
  }
});

test('a confirmed run that fails answers with the error and its hint', async () => {
  const etlRun = fakeOperation(
    'etl.run',
    () => new OperationFailed('spotify: 3 tables failed', { hint: 'See opsctl etl show 9.' }),
  );
  const h = await startHarness({
    operations: { 'etl.run': etlRun.fake },
    config: { pipelines: { spotify: { kind: 'spotify' } } },
  });
  try {
    const question = await h.ask(TEAM_CHAT, '/run spotify');
    const before = h.fake.sentTo(TEAM_CHAT).length;
    h.fake.pushCallback(TEAM_CHAT, question.message_id, question.buttons[0]!.data);
    const answer = await h.fake.waitFor(() => h.fake.sentTo(TEAM_CHAT)[before], 10_000, 'the failure');
    assert.match(answer.text, /❌ Run spotify failed: spotify: 3 tables failed\nSee opsctl etl show 9\./);
  } finally {
    await h.close();
  }
});

test("the other commands format their operations' results for a phone", async () => {
  const now = Date.now();
  const iso = (msAgo: number) => new Date(now - msAgo).toISOString();
  const operations = {
    'etl.history': fakeOperation('etl.history', () => ({
      runs: [
        runItem({
          id: 12,
          pipeline: 'spotify',
          status: 'failed',
          startedAt: iso(3_600_000),
          durationMs: 4_000,
          error: 'Spotify answered 401 <Unauthorized> & gave up',
        }),
        runItem({
          id: 11,
          pipeline: 'dashboards',
          status: 'succeeded',
          startedAt: iso(86_400_000),
          durationMs: 95_000,
          rowsLoaded: 1234,
        }),
      ],
      total: 2,
      nextBeforeId: null,
    })).fake,
    'costs.report': fakeOperation('costs.report', () => {
      const GIB = 1024 ** 3;
      const report = buildReport(
        {
          storage: [{ dataset: 'spotify_data', table: 'plays', activeBytes: 2 * GIB, longTermBytes: 0 }],
          daily: [{ day: '2026-11-10', bytesBilled: 100 * GIB, bytesProcessed: 100 * GIB, jobs: 4, cacheHits: 0 }],
          byUser: [],
          byLabel: [],
          opsctlBytesBilled: 0,
          top: [],
        },
        {
          costs: { ...configSchema.parse({}).costs, budgetUsd: 0.5 },
          now: new Date('2026-11-10T12:00:00Z'),
          days: 30,
          warehouse: 'bigquery',
          location: 'x',
        },
      );
      const snapshot = {
        warehouse: 'bigquery',
        day: '2026-11-10',
        takenAt: report.generatedAt,
        storageBytes: 2 * GIB,
        bytesBilledDay: 100 * GIB,
        bytesBilledMtd: 100 * GIB,
        mtdUsd: report.monthToDate.totalUsd,
        projectedUsd: report.projection.totalUsd,
        budgetPercent: report.budget.percent,
      };
      return { ...report, trend: [snapshot], snapshot };
    }).fake,
    'watermarks.list': fakeOperation('watermarks.list', () => ({
      watermarks: [
        watermarkItem({
          pipeline: 'dashboards',
          table: 'dashboard_data',
          value: '2026-11-20',
          lagSeconds: 2 * 86_400,
          limitSeconds: 36 * 3600,
          lagging: true,
        }),
        watermarkItem({
          pipeline: 'dashboards',
          table: 'evolution_data',
          value: '2026-11-22',
          lagSeconds: 3600,
          limitSeconds: 36 * 3600,
          lagging: false,
        }),
      ],
      checkedAt: new Date(now).toISOString(),
    })).fake,
    'backup.list': fakeOperation('backup.list', () => ({
      backups: [
        backupItem({ target: 'app', finishedAt: iso(5 * 3_600_000), sizeBytes: 12 * 1024 ** 2, verified: true }),
        backupItem({ target: 'app', finishedAt: iso(29 * 3_600_000), sizeBytes: 11 * 1024 ** 2, verified: true }),
        backupItem({ target: 'reco', finishedAt: iso(2 * 86_400_000), sizeBytes: 2048, verified: false }),
      ],
      maxAgeHours: 24,
    })).fake,
    'migrate.status': fakeOperation('migrate.status', () => ({
      ok: false,
      unconfigured: [],
      targets: [
        {
          target: 'app',
          engine: 'postgres',
          location: 'postgres://x/app',
          production: false,
          dir: 'migrations/app',
          historyExists: true,
          current: '002',
          migrations: [],
          applied: [mig('001', 'applied'), mig('002', 'applied')],
          pending: [],
          drifted: [],
          missing: [],
          dirty: null,
        },
        {
          target: 'reco',
          engine: 'mysql',
          location: 'mysql://x/reco',
          production: false,
          dir: 'migrations/reco',
          historyExists: true,
          current: '002',
          migrations: [],
          applied: [mig('001', 'applied'), mig('002', 'drifted'), mig('003', 'applied')],
          pending: [mig('004', 'pending')],
          drifted: [mig('002', 'drifted')],
          missing: [],
          dirty: {
            version: '005',
            name: 'reco_indexes',
            operation: 'up',
            statementsTotal: 4,
            statementsDone: 2,
            failedStatement: 3,
            error: "Key column 'x' doesn't exist",
            ran: [],
            notRun: [],
          },
        },
      ],
    })).fake,
  };
  const h = await startHarness({ operations });
  try {
    const runs = await h.ask(TEAM_CHAT, '/runs');
    assert.match(
      runs.text,
      /Latest runs\n❌ #12 · spotify · 1h ago · 4\.0s\n {4}Spotify answered 401 <Unauthorized> & gave up\n✅ #11 · dashboards · 1d ago · 1m35s · 1,234 rows/,
    );
    assert.match(runs.html, /&lt;Unauthorized&gt; &amp; gave up/, 'escaped for HTML');

    const costs = await h.ask(TEAM_CHAT, '/costs');
    assert.match(costs.text, /BigQuery costs · 2026-11 \(day 10\/30\)/);
    assert.match(costs.text, /Queries: 100 GiB of 1\.00 TiB free · projected 300 GiB \(29%\)/);
    assert.match(costs.text, /Storage: 2\.00 GiB of 10\.0 GiB free \(20%\)/);
    assert.match(costs.text, /Month to date: \$0 · projected \$0 of \$0\.50 budget \(0\.0%\)/);
    assert.match(costs.text, /✅ no level crossed/);

    const wm = await h.ask(TEAM_CHAT, '/watermarks');
    assert.match(wm.text, /Watermarks · ⚠️ 1 lagging/);
    assert.match(wm.text, /❌ dashboards\/dashboard_data 2026-11-20 · lag 2d00h \(limit 1d12h\)/);
    assert.match(wm.text, /✅ dashboards\/evolution_data 2026-11-22 · lag 1h00m$/m);

    const backups = await h.ask(TEAM_CHAT, '/backups');
    assert.match(backups.text, /✅ app newest 5h ago · 12\.0 MiB · verified · 2 backups/);
    assert.match(backups.text, /❌ reco newest 2d ago \(over 24h\) · 2\.00 KiB · not verified · 1 backup/);

    const migrations = await h.ask(TEAM_CHAT, '/migrations');
    assert.match(migrations.text, /✅ app 2 applied · 0 pending/);
    assert.match(migrations.text, /❌ reco 3 applied · 1 pending · 1 drifted · dirty/);
    assert.match(migrations.text, /005_reco_indexes up statement 3 of 4 failed: Key column 'x' doesn't exist/);
  } finally {
    await h.close();
  }
});

test('a command still running when the grace period ends is cancelled through its signal and counted', async () => {
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const triggers: string[] = [];
  const h = await startHarness({
    bot: { shutdownGraceSec: 0 },
    operations: {
      // Ends only when it is cancelled, as a real operation obeys ctx.signal.
      'etl.history': (_input, ctx) => {
        triggers.push(ctx.trigger);
        started();
        return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
      },
    },
  });
  try {
    h.fake.pushText(TEAM_CHAT, '/runs');
    await running;
    const summary = await h.service.stop();
    assert.is(summary.cancelledInFlight, 1);
    assert.equal(triggers, ['bot']);
    assert.ok(h.logs.some((r) => r.msg === 'bot: grace period over; cancelling the commands still running'));
    assert.match(h.fake.sentTo(TEAM_CHAT).at(-1)!.text, /❌ \/runs failed/, 'the chat hears it was cut short');
  } finally {
    await h.close();
  }
});

test('an operation error answers with its hint', async () => {
  const h = await startHarness({
    operations: {
      'migrate.status': fakeOperation(
        'migrate.status',
        () => new ConfigError('target "x" is not configured', { hint: 'Add targets.x.' }),
      ).fake,
    },
  });
  try {
    const failed = await h.ask(TEAM_CHAT, '/migrations');
    assert.match(failed.text, /❌ \/migrations failed: target "x" is not configured\nAdd targets\.x\./);
  } finally {
    await h.close();
  }
});

test('unknown commands, plain text and commands for another bot', async () => {
  const h = await startHarness();
  try {
    assert.match((await h.ask(TEAM_CHAT, '/frobnicate')).text, /Unknown command \/frobnicate\. Send \/help\./);
    assert.match((await h.ask(TEAM_CHAT, 'hello?')).text, /Send \/help for the commands\./);
    const before = h.fake.sentTo(TEAM_CHAT).length;
    h.fake.pushText(TEAM_CHAT, '/status@some_other_bot');
    const ours = await h.ask(TEAM_CHAT, '/status@opsctl_test_bot');
    assert.match(ours.text, /state store/);
    assert.is(h.fake.sentTo(TEAM_CHAT).length, before + 1, 'the command for the other bot got no answer');
  } finally {
    await h.close();
  }
});

test('a rejected token stops the bot with a config error; without a token it does not start', async () => {
  const fake = await new FakeTelegram().start();
  try {
    fake.failNext('getMe', 401, 'Unauthorized');
    const h = await startHarness({ fake, waitForPolling: false });
    const error = await h.service.failure;
    assert.instance(error, ConfigError);
    assert.match(error.message, /Telegram rejected the bot token \(getMe: 401 Unauthorized\)/);
    await h.close();
  } finally {
    await fake.close();
  }
  const { startBotService } = await import('../src/bot/service.js');
  const { createRuntime } = await import('../commands/runtime.js');
  const { loadConfig } = await import('../src/config/load.js');
  const { silentLogger } = await import('../src/log/logger.js');
  const { tempDir } = await import('./helpers/tmp.js');
  const home = tempDir();
  const runtime = createRuntime({
    loaded: loadConfig({ cwd: home, env: {}, fileConfig: { home, bot: { port: 0 } } }),
    log: silentLogger,
    trigger: 'cli',
  });
  try {
    await startBotService({ runtime });
    assert.unreachable('started without a token');
  } catch (error) {
    assert.instance(error, ConfigError);
    assert.match((error as Error).message, /TELEGRAM_BOT_TOKEN is not set/);
    assert.match((error as ConfigError).hint!, /--no-telegram/);
  } finally {
    await runtime.close();
  }
});

test('Telegram going away is reported on /health and the bot carries on when it is back', async () => {
  const h = await startHarness();
  try {
    h.fake.setDown(true);
    const down = await waitForHealth(h.service.url, (r) => r.telegram.status === 'down');
    assert.is(down.ready, false);
    assert.match(down.reasons.join(' '), /telegram down/);
    h.fake.setDown(false);
    await waitForHealth(h.service.url, (r) => r.telegram.status === 'up' && r.ready);
    assert.match((await h.ask(TEAM_CHAT, '/status')).text, /state store/);
  } finally {
    await h.close();
  }
});

async function waitForHealth(
  url: string,
  predicate: (r: { ready: boolean; reasons: string[]; telegram: { status: string } }) => boolean,
  timeoutMs = 20_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const report = (await (await fetch(`${url}/health`)).json()) as {
      ready: boolean;
      reasons: string[];
      telegram: { status: string };
    };
    if (predicate(report)) return report;
    if (Date.now() > deadline) throw new Error(`health never matched: ${JSON.stringify(report)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test.run();
