import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { listBotInstances } from '../src/state/bot.js';
import { openStateStore } from '../src/state/open.js';
import { FakeTelegram } from './fakes/telegram.js';
import { TEAM_CHAT } from './helpers/bot.js';
import { BIN, cliHome, ROOT, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

interface Bot {
  child: ChildProcessWithoutNullStreams;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** `opsctl bot start …` as a real process, in its own workspace. */
function startBot(cwd: string, args: string[], env: Record<string, string> = {}): Bot {
  const child = spawn(process.execPath, [BIN, 'bot', 'start', ...args], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      NO_COLOR: '1',
      OPSCTL_HOME: join(cwd, 'home'),
      ...env,
    },
  });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The JSON log records on the bot's stderr. */
function records(stderr: string): Array<Record<string, unknown>> {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A TCP server that accepts connections and never answers (a database that hangs); it closes when the client does. */
async function silentServer(): Promise<{ server: Server; port: number; connections: Socket[] }> {
  const connections: Socket[] = [];
  const server = createServer((socket) => {
    connections.push(socket);
    socket.on('error', () => undefined);
    socket.on('end', () => socket.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port, connections };
}

test('SIGTERM while a command is in flight: the command finishes and is answered, polling stops, exit 0', async () => {
  const fake = await new FakeTelegram().start();
  const hang = await silentServer();
  const cwd = tempDir();
  writeFileSync(
    join(cwd, 'opsctl.config.json'),
    JSON.stringify({
      targets: { slow: { engine: 'postgres', url: `postgres://u@127.0.0.1:${hang.port}/db` } },
      bot: { apiUrl: fake.url, port: 0, host: '127.0.0.1', allowedChats: [TEAM_CHAT], alerts: { enabled: false } },
    }),
  );
  const bot = startBot(cwd, [], { TELEGRAM_BOT_TOKEN: fake.token });
  try {
    await fake.waitFor(() => fake.waitingPolls > 0, 20_000, 'the bot polling');
    fake.knownChats.add(TEAM_CHAT);
    const url = records(bot.stderr()).find((r) => r.msg === 'bot: health and metrics server listening')!.url as string;
    const update = fake.pushText(TEAM_CHAT, '/status');
    // /status is in flight: it waits for the hanging database (up to the 5 s probe timeout).
    await until('the command in flight', async () =>
      /^opsctl_bot_commands_in_flight 1$/m.test(await (await fetch(`${url}/metrics`)).text()),
    );
    assert.is(fake.sentTo(TEAM_CHAT).length, 0, 'not answered yet');
    const callsAtSignal = fake.calls.length;
    bot.child.kill('SIGTERM');
    const code = await bot.exited;
    assert.is(code, 0, bot.stderr());

    const after = fake.calls.slice(callsAtSignal);
    const answer = after.find((c) => c.method === 'sendMessage');
    assert.ok(answer, 'the command in flight was answered after SIGTERM');
    assert.is(Number(answer.params.chat_id), TEAM_CHAT);
    assert.match((answer.result as { text: string }).text, /target slow — down/);
    const confirm = after.find((c) => c.method === 'getUpdates' && Number(c.params.offset) === update.update_id + 1);
    assert.ok(confirm, 'the handled update was confirmed, so a restart does not get it again');
    assert.is(Number(confirm.params.timeout), 0);

    const logs = records(bot.stderr());
    const messages = logs.map((r) => r.msg);
    assert.ok(messages.includes('bot: stopping; waiting for the commands in flight'), messages.join('\n'));
    assert.ok(messages.indexOf('bot: /status answered') < messages.indexOf('bot: stopped'));
    assert.not.match(bot.stderr(), /\n\s+at /, 'no stack trace');
    assert.not.match(bot.stderr(), new RegExp(fake.token.split(':')[1]!), 'the token is never logged');

    const store = await openStateStore(`sqlite:${join(cwd, 'home', 'state.db')}`);
    try {
      assert.equal(await listBotInstances(store), [], 'the bot unregistered itself');
    } finally {
      await store.close();
    }
  } finally {
    bot.child.kill('SIGKILL');
    for (const s of hang.connections) s.destroy();
    hang.server.close();
    await fake.close();
  }
});

test('bot start --no-telegram serves health and metrics; `status` and `bot status` see it; SIGINT exits 0', async () => {
  const cwd = tempDir();
  cliHome(join(cwd, 'home'));
  const bot = startBot(cwd, ['--no-telegram', '--port', '0', '--host', '127.0.0.1']);
  try {
    const listening = await until('the server', () =>
      records(bot.stderr()).find((r) => r.msg === 'bot: health and metrics server listening'),
    );
    const url = listening.url as string;
    assert.is((await fetch(`${url}/health/ready`)).status, 200);
    assert.match(await (await fetch(`${url}/metrics`)).text(), /^opsctl_state_store_up 1$/m);
    const env = { OPSCTL_HOME: join(cwd, 'home') };
    const st = await runCli(['status', '--json'], { cwd, env });
    assert.is(st.code, 0, st.stderr);
    const doc = JSON.parse(st.stdout) as {
      components: Array<{ id: string; status: string; location: string; kind: string }>;
    };
    const component = doc.components.find((c) => c.id === 'bot')!;
    assert.equal([component.status, component.location, component.kind], ['up', url, 'metrics']);
    const text = await runCli(['status'], { cwd, env });
    assert.match(text.stdout, /\non-call bot\s+metrics\s+up\s+opsctl \d/);
    const bs = await runCli(['bot', 'status'], { cwd, env });
    assert.is(bs.code, 0);
    assert.match(bs.stdout, /bot\s+running, healthy/);
    bot.child.kill('SIGINT');
    assert.is(await bot.exited, 0, bot.stderr());
    const after = await runCli(['bot', 'status', '--json'], { cwd, env });
    assert.is(after.code, 1);
    assert.is((JSON.parse(after.stdout) as { status: string }).status, 'absent');
  } finally {
    bot.child.kill('SIGKILL');
  }
});

test('bot start without a token is a config error (exit 2) naming the variable; bot status with no bot exits 1', async () => {
  const cwd = tempDir();
  cliHome(join(cwd, 'home'));
  const bot = startBot(cwd, []);
  assert.is(await bot.exited, 2);
  assert.match(bot.stderr(), /TELEGRAM_BOT_TOKEN is not set/);
  assert.match(bot.stderr(), /--no-telegram/);
  const r = await runCli(['bot', 'status'], { cwd, env: { OPSCTL_HOME: join(cwd, 'home') } });
  assert.is(r.code, 1);
  assert.match(r.stdout, /bot\s+not running/);
  assert.match(r.stdout, /opsctl bot start/);
  const help = await runCli(['bot', 'start', '--help']);
  assert.match(help.stdout, /--no-telegram/);
  assert.match(help.stdout, /OPSCTL_BOT_ALLOWED_CHATS/);
});

test('`opsctl bot status` loads neither the Telegram library, prom-client, ink nor react', async () => {
  const cwd = tempDir();
  const { OPSCTL_HOME } = cliHome(join(cwd, 'h'));
  const trace = join(cwd, 'trace.txt');
  writeFileSync(trace, '');
  await new Promise<void>((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', join(ROOT, 'tests/helpers/trace-loads.mjs'), BIN, 'bot', 'status', '--json'],
      {
        cwd,
        env: { PATH: process.env.PATH ?? '', OPSCTL_TRACE_FILE: trace, OPSCTL_HOME },
        stdio: 'ignore',
      },
    );
    child.on('close', () => resolve());
  });
  const loaded = readFileSync(trace, 'utf8');
  assert.ok(loaded.includes('/dist/commands/bot/health.js'), 'the trace saw the operation load');
  assert.not.match(loaded, /node_modules\/(node-telegram-bot-api|prom-client|ink|react)\//);
});

test.run();
