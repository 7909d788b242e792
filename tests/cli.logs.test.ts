// Issue 22 item 4: logs a machine can read. With stderr not a terminal every stderr line is one JSON record (errors,
// a failed pipeline, usage errors, notices); SIGTERM exits 143 without Ctrl-C advice; --log-level debug traces the
// config resolution, each SQL statement and each HTTP call.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLiveLine, createProgressReporter } from '../src/cli/progress.js';
import { createLogger, type LogRecord } from '../src/log/logger.js';
import { setTraceLog, traceExec } from '../src/log/trace.js';
import { BIN, runCli, stderrRecords } from './helpers/cli.js';
import { createPgDatabase } from './helpers/databases.js';
import { tempDir } from './helpers/tmp.js';

function workspace(config: Record<string, unknown>): string {
  const cwd = tempDir('opsctl-logs-');
  writeFileSync(join(cwd, 'opsctl.config.json'), JSON.stringify({ home: './home', ...config }));
  return cwd;
}

async function httpServer(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(req.url === '/health' ? 'ok' : 'hello');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

test('on a pipe every stderr line is one JSON record; a failed pipeline says so on stderr, not stdout', async () => {
  // The Spotify API source without credentials fails at once.
  const cwd = workspace({ pipelines: { spotify: { kind: 'spotify', source: 'api' } } });
  const run = await runCli(['etl', 'run'], { cwd });
  assert.is(run.code, 1, run.stderr);
  const failed = stderrRecords(run.stderr).filter((r) => r.level === 'error' && r.msg.startsWith('pipeline spotify'));
  assert.is(failed.length, 1, run.stderr);
  assert.match(failed[0]!.msg, /^pipeline spotify failed \(run 1\): \S/);
  assert.is(failed[0]!.run, 1);
  assert.not.match(run.stdout, /^(error|hint):/m, 'the failure is not on stdout');
  assert.match(run.stdout, /spotify \(spotify\) run 1: failed/);

  const quiet = await runCli(['etl', 'run', '-q'], { cwd });
  const levels = stderrRecords(quiet.stderr).map((r) => r.level);
  assert.ok(levels.length > 0 && levels.every((l) => l === 'error'), `quiet: errors only: ${quiet.stderr}`);

  const usage = await runCli(['status', '--no-such-flag'], { cwd });
  assert.is(usage.code, 2);
  const [bad] = stderrRecords(usage.stderr);
  assert.equal([bad!.level, bad!.code], ['error', 'USAGE']);
  assert.match(bad!.msg, /unknown option '--no-such-flag'/);

  const broken = workspace({ environment: 'prod' });
  const config = await runCli(['status'], { cwd: broken });
  assert.is(config.code, 2);
  const [invalid] = stderrRecords(config.stderr);
  assert.equal([invalid!.level, invalid!.code], ['error', 'CONFIG_INVALID']);
  assert.match(invalid!.msg, /environment .*got "prod"/);
  assert.match(String(invalid!.hint), /Fix the fields named above/);

  const bare = await runCli([], { cwd });
  assert.is(bare.code, 2);
  assert.match(stderrRecords(bare.stderr)[0]!.msg, /the console needs a terminal/);
});

/** A load test that runs for a minute unless stopped, with its stderr, once its first progress record is out. */
async function longLoadTest(cwd: string, url: string) {
  const child = spawn(process.execPath, [BIN, 'loadtest', 'run', url, '-c', '1', '-d', '60s', '-w', '0s'], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: cwd, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve) => {
    child.stderr.on('data', (c) => {
      stderr += c;
      if (stderr.includes('"msg":"progress"')) resolve();
    });
    child.on('close', () => resolve());
  });
  return { child, exited, stderr: () => stderr };
}

test('SIGTERM stops a command with exit 143 and no Ctrl-C advice; SIGINT exits 130 and says how to quit at once', async () => {
  const { server, url } = await httpServer();
  try {
    const cwd = workspace({});
    const term = await longLoadTest(cwd, url);
    term.child.kill('SIGTERM');
    assert.is(await term.exited, 143, term.stderr());
    const records = stderrRecords(term.stderr());
    assert.not.match(term.stderr(), /Ctrl-C/);
    assert.ok(
      records.some((r) => r.msg === 'terminating' && r.signal === 'SIGTERM'),
      term.stderr(),
    );

    const int = await longLoadTest(cwd, url);
    int.child.kill('SIGINT');
    assert.is(await int.exited, 130, int.stderr());
    const notice = stderrRecords(int.stderr()).find((r) => r.msg === 'interrupting');
    assert.is(notice?.hint, 'press Ctrl-C again to quit at once');
  } finally {
    server.close();
  }
});

test('--log-level debug traces how the config resolved, each SQL statement and each HTTP call', async () => {
  const db = await createPgDatabase('opsctl_logs');
  const { server, url } = await httpServer();
  try {
    const cwd = workspace({
      targets: { app: { engine: 'postgres', url: db.url } },
      services: { web: { health: [`${url}/health`] } },
    });
    const r = await runCli(['health', '--json', '--log-level', 'debug'], { cwd });
    const records = stderrRecords(r.stderr);
    const config = records.find((x) => x.msg === 'config resolved');
    assert.ok(config, r.stderr);
    assert.is(config.file, join(cwd, 'opsctl.config.json'));
    assert.is(config.foundBy, './opsctl.config.json');
    assert.equal(config.targets, ['app']);

    const sql = records.filter((x) => x.msg === 'sql');
    const target = sql.find((x) => x.engine === 'postgres' && x.db === 'app');
    assert.ok(target, `a statement on target app: ${r.stderr}`);
    assert.type(target.sql, 'string');
    assert.type(target.ms, 'number');
    const status = await runCli(['status', '--json', '--log-level', 'debug'], { cwd });
    const state = stderrRecords(status.stderr).filter((x) => x.msg === 'sql' && x.db === 'state');
    assert.ok(state.length > 0 && state.every((x) => x.engine === 'sqlite'), `the state store: ${status.stderr}`);

    const http = records.find((x) => x.msg === 'http');
    assert.ok(http, `an HTTP call: ${r.stderr}`);
    assert.equal([http.method, http.host, http.path, http.status], ['GET', new URL(url).host, '/health', 200]);
    assert.type(http.ms, 'number');

    const info = await runCli(['health', '--json'], { cwd });
    assert.not.ok(
      stderrRecords(info.stderr).some((x) => x.level === 'debug'),
      'no trace at the default level',
    );
  } finally {
    server.close();
    await db.drop();
  }
});

test("an external tool's argv is traced without the credentials a URL carries; SQL literals are masked", async () => {
  const records: LogRecord[] = [];
  setTraceLog(createLogger({ level: 'debug', sink: (r) => records.push(r) }));
  try {
    traceExec('pg_dump', ['--format=custom', '--dbname', 'postgres://etl:s3cret-pass@db.internal:5432/app']);
    const { traceSql } = await import('../src/log/trace.js');
    await traceSql(
      { engine: 'postgres', db: 'app', dialect: 'postgres' },
      "SELECT * FROM t WHERE token = 'abc123'",
      [],
      () => Promise.resolve([{ a: 1 }]),
    );
  } finally {
    setTraceLog(undefined);
  }
  const [exec, sql] = records;
  assert.equal(exec!.argv, ['--format=custom', '--dbname', 'postgres://etl:***@db.internal:5432/app']);
  assert.is(sql!.sql, 'SELECT * FROM t WHERE token = ?');
  assert.is(sql!.rows, 1);
});

test('on a terminal a log line clears the live progress line first and redraws it after', () => {
  let out = '';
  const tty = { isTTY: true, columns: 80, write: (s: string) => (out += s) } as unknown as NodeJS.WriteStream;
  const line = createLiveLine(tty);
  const log = createLogger({ level: 'info', format: 'pretty', stream: { write: (s: string) => line.write(s) } });
  const progress = createProgressReporter({ stream: tty, quiet: false, log, line });
  progress.report({ phase: 'copy', done: 5, total: 10 });
  log.info('a record');
  progress.clear();
  log.info('after');
  const CLEAR = '\r\x1b[2K';
  const seen = out.replace(/\d\d:\d\d:\d\d info {2}/g, 'T ');
  // Drawn; cleared, the record, redrawn; cleared; the next record on a clean line.
  assert.is(seen, `${CLEAR}copy 5/10 50%${CLEAR}T a record\ncopy 5/10 50%${CLEAR}T after\n`);
});

test.run();
