import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Access } from '../src/bot/access.js';
import { REFUSAL, USER_REFUSAL } from '../src/bot/dispatcher.js';
import { loadConfig } from '../src/config/load.js';
import { ConfigError, ConfirmationRequired } from '../src/errors.js';
import { Redactor } from '../src/log/redact.js';
import type { ResultFor } from '../commands/catalog.js';
import type { FakeUser } from './fakes/telegram.js';
import { fakeOperation, startHarness, STRANGER_CHAT } from './helpers/bot.js';
import { tempDir } from './helpers/tmp.js';

/** A team group with three members of different roles, and someone in it who is not in bot.users. */
const GROUP = -100_4242;
const person = (id: number, username: string): FakeUser => ({ id, is_bot: false, first_name: username, username });
const ADMIN = person(501, 'ana');
const RUNNER = person(502, 'rui');
const READER = person(503, 'rita');
const NEWCOMER = person(504, 'nina');
const USERS = { [ADMIN.id]: 'admin', [RUNNER.id]: 'run', [READER.id]: 'read' };

const succeeded = (pipeline: string): ResultFor<'etl.run'> => ({
  ok: true,
  dryRun: false,
  failures: [],
  orphansClosed: 0,
  executions: [{ pipeline, kind: 'spotify', status: 'succeeded', run: null }],
});

/** `users` undefined: bot.users absent, as in configs written before it existed. */
async function groupHarness(operations: Parameters<typeof startHarness>[0], users: unknown) {
  const h = await startHarness({
    config: { pipelines: { spotify: { kind: 'spotify' } } },
    bot: { allowedChats: [GROUP], users },
    ...operations,
  });
  h.fake.knownChats.add(GROUP);
  /** `from` writes `text` in the group; resolves with the bot's next message there. */
  const say = async (from: FakeUser, text: string) => {
    const before = h.fake.sentTo(GROUP).length;
    h.fake.pushText(GROUP, text, from);
    const m = await h.fake.waitFor(() => h.fake.sentTo(GROUP)[before], 10_000, `an answer to ${text}`);
    return {
      text: m.text,
      message_id: m.message_id,
      buttons: (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.callback_data ?? ''),
    };
  };
  /** `from` presses a button; resolves with the toast the bot answers the press with. */
  const press = async (from: FakeUser, messageId: number, data: string) => {
    const before = h.fake.sent('answerCallbackQuery').length;
    h.fake.pushCallback(GROUP, messageId, data, from);
    const a = await h.fake.waitFor(() => h.fake.sent('answerCallbackQuery')[before], 10_000, 'the press answered');
    return String(a.params.text ?? '');
  };
  return { h, say, press };
}

test('a /run button offered to one member and pressed by a member with `read` runs nothing; the asker then can', async () => {
  const etlRun = fakeOperation('etl.run', (input) => succeeded(input.pipelines![0]!));
  const { h, say, press } = await groupHarness({ operations: { 'etl.run': etlRun.fake } }, USERS);
  try {
    const question = await say(RUNNER, '/run spotify');
    assert.match(question.text, /Run pipeline spotify now\?/);
    assert.match(await press(READER, question.message_id, question.buttons[0]!), /Needs the run role; you have read/);
    assert.match(await press(NEWCOMER, question.message_id, question.buttons[0]!), /Not allowed/);
    assert.is(etlRun.calls.length, 0, 'the pipeline did not run for them');
    const refused = await h.waitForLog((r) => r.msg === 'bot: /button refused');
    assert.equal([refused.userId, refused.role, refused.needed], [READER.id, 'read', 'run']);
    // The button was not used up: the asker (or anyone with `run`) still can.
    assert.is(await press(RUNNER, question.message_id, question.buttons[0]!), 'Starting…');
    await h.fake.waitFor(() => etlRun.calls.length === 1, 10_000, 'the run');
    await h.fake.waitFor(
      () => /^▶ Ran spotify \(confirmed by @rui\)$/.test(h.fake.message(GROUP, question.message_id)!.text),
      10_000,
      'the question names who confirmed',
    );
  } finally {
    await h.close();
  }
});

test('roles on every command: read may ask for status, not /run; a newcomer in the group is an outsider', async () => {
  const { h, say } = await groupHarness({}, USERS);
  try {
    assert.match((await say(READER, '/runs')).text, /^Latest runs/);
    const refused = await say(READER, '/run spotify');
    assert.match(refused.text, /^⛔ \/run needs the run role; @rita has read\./);
    assert.match(refused.text, /give user id 503 the run role in bot\.users/);
    assert.equal(refused.buttons, [], 'no button to press');
    assert.match((await say(RUNNER, '/run spotify')).text, /Run pipeline spotify now\?/);
    assert.is((await say(NEWCOMER, '/runs')).text, USER_REFUSAL);
    const log = await h.waitForLog((r) => r.msg === 'bot: refused a user who is not in bot.users');
    assert.equal([log.chatId, log.userId], [GROUP, NEWCOMER.id]);
  } finally {
    await h.close();
  }
});

test('confirming an operation that asks for confirmation (destructive) needs admin: run may press, only admin confirms', async () => {
  const etlRun = fakeOperation('etl.run', (input) =>
    Object.hasOwn(input, 'confirm') ? succeeded('spotify') : new ConfirmationRequired('overwrite the spotify tables'),
  );
  const { h, say, press } = await groupHarness({ operations: { 'etl.run': etlRun.fake } }, USERS);
  try {
    const first = await say(RUNNER, '/run spotify');
    const before = h.fake.sentTo(GROUP).length;
    await press(RUNNER, first.message_id, first.buttons[0]!);
    const answer = await h.fake.waitFor(() => h.fake.sentTo(GROUP)[before], 10_000, 'the answer');
    assert.match(answer.text, /overwrite the spotify tables: confirming it needs the admin role/);
    assert.equal(
      etlRun.calls.map((c) => c.input),
      [{ pipelines: ['spotify'] }],
      'never retried with confirm: true',
    );
    const second = await say(RUNNER, '/run spotify');
    const after = h.fake.sentTo(GROUP).length;
    await press(ADMIN, second.message_id, second.buttons[0]!);
    assert.match((await h.fake.waitFor(() => h.fake.sentTo(GROUP)[after], 10_000, 'the run')).text, /finished/);
    assert.equal(etlRun.calls.at(-1)!.input, { pipelines: ['spotify'], confirm: true });
  } finally {
    await h.close();
  }
});

test('20 messages from a stranger get one refusal; the rest are ignored and logged; each chat gets its own', async () => {
  const { h } = await groupHarness({}, USERS);
  try {
    for (let i = 0; i < 20; i++) h.fake.pushText(STRANGER_CHAT, `/status ${i}`);
    for (let i = 0; i < 3; i++) h.fake.pushText(STRANGER_CHAT + 1, '/run spotify');
    const outsiders = () =>
      h.logs.filter((r) => /^bot: (refused|ignored) a chat that is not in the allowlist/.test(r.msg));
    await h.fake.waitFor(() => outsiders().length === 23, 15_000, '23 outsider messages handled');
    assert.equal(
      h.fake.sentTo(STRANGER_CHAT).map((m) => m.text),
      [REFUSAL],
    );
    assert.is(h.fake.sentTo(STRANGER_CHAT + 1).length, 1);
    assert.is(outsiders().filter((r) => r.chatId === STRANGER_CHAT && r.level === 'info').length, 19);
    const metrics = await (await fetch(`${h.service.url}/metrics`)).text();
    assert.match(metrics, /opsctl_bot_messages_total\{command="none",outcome="ignored"\} 21/);
  } finally {
    await h.close();
  }
});

test('the refusal budget: once per chat per hour, by the clock', () => {
  let now = 0;
  const access = new Access({ allowedChats: [1], now: () => now });
  assert.ok(access.mayRefuse(7));
  assert.not.ok(access.mayRefuse(7));
  assert.ok(access.mayRefuse(8), 'another chat');
  now += 3_599_999;
  assert.not.ok(access.mayRefuse(7));
  now += 1;
  assert.ok(access.mayRefuse(7), 'an hour later');
  assert.not.ok(access.mayRefuse(undefined), 'nowhere to answer');
});

test('without bot.users (older configs) members of an allowed chat may only read, and the start-up log says so', async () => {
  const etlRun = fakeOperation('etl.run', (input) => succeeded(input.pipelines![0]!));
  const { h, say } = await groupHarness({ operations: { 'etl.run': etlRun.fake } }, undefined);
  try {
    assert.ok(h.logs.find((r) => r.level === 'warn' && /bot\.users is not set/.test(r.msg)));
    assert.match((await say(NEWCOMER, '/runs')).text, /^Latest runs/);
    const refused = await say(ADMIN, '/run spotify');
    assert.match(refused.text, /needs the run role; @ana has read\.\nbot\.users is not set/);
    assert.is(etlRun.calls.length, 0);
  } finally {
    await h.close();
  }
});

test('bot.users: user ids and roles are checked, naming the field; OPSCTL_BOT_USERS reads id:role pairs', () => {
  const load = (fileConfig: Record<string, unknown>, env: Record<string, string> = {}) =>
    loadConfig({ cwd: tempDir(), env, redactor: new Redactor(), fileConfig });
  try {
    load({ bot: { users: { '@ana': 'admin', '42': 'owner' } } });
    assert.unreachable('accepted');
  } catch (error) {
    assert.instance(error, ConfigError);
    const message = (error as Error).message;
    assert.match(message, /bot\.users.*must be a Telegram user id/);
    assert.match(message, /bot\.users\.42.*must be read, run or admin/);
  }
  const fromEnv = load({}, { OPSCTL_BOT_USERS: '501:admin, 502:run' });
  assert.equal(fromEnv.config.bot.users, { '501': 'admin', '502': 'run' });
  assert.is(fromEnv.sources['bot.users'], 'env:OPSCTL_BOT_USERS');
  assert.throws(() => load({}, { OPSCTL_BOT_USERS: '501' }), /OPSCTL_BOT_USERS.*"501" is not id:role/);
  assert.is(load({}).config.bot.users, undefined);
});

test.run();
