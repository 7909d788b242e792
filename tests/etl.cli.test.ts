import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openStateStore } from '../src/state/open.js';
import { spawn } from 'node:child_process';
import { ROOT, runCli, stderrRecords } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

function workspace(pipelines: Record<string, unknown> = { spotify: { kind: 'spotify', source: 'api' } }): {
  cwd: string;
  env: Record<string, string>;
} {
  const cwd = tempDir('opsctl-etl-cli-');
  writeFileSync(join(cwd, 'opsctl.config.json'), JSON.stringify({ pipelines }));
  return { cwd, env: { OPSCTL_HOME: join(cwd, '.opsctl') } };
}

test('etl --help lists run, history, show and retention; run --help gives the exit codes', async () => {
  const r = await runCli(['etl', '--help']);
  assert.is(r.code, 0);
  for (const c of ['run [options] [pipeline...]', 'history', 'show [options] <run>', 'retention'])
    assert.ok(r.stdout.includes(c), c);
  const run = await runCli(['etl', 'run', '--help']);
  assert.match(run.stdout, /Exit codes: 0 every pipeline succeeded; 1 a pipeline failed or was locked/);
});

test('a failed pipeline exits 1 with one line on stderr naming it; history and show print the failed run', async () => {
  const ws = workspace();
  const r = await runCli(['etl', 'run', '-q'], ws);
  assert.is(r.code, 1, r.stderr);
  // On a pipe: one JSON record (tests/cli.logs.test.ts).
  const lines = stderrRecords(r.stderr).filter((l) => l.msg.startsWith('pipeline spotify '));
  assert.is(lines.length, 1);
  assert.match(lines[0]!.msg, /^pipeline spotify failed \(run 1\): \S.*$/);
  const history = await runCli(['etl', 'history', '--json'], ws);
  assert.is(history.code, 0, history.stderr);
  const doc = JSON.parse(history.stdout) as {
    runs: Array<{ id: number; pipeline: string; status: string; error: string }>;
    total: number;
  };
  assert.equal(
    doc.runs.map((x) => [x.id, x.pipeline, x.status]),
    [[1, 'spotify', 'failed']],
  );
  assert.is(doc.total, 1);
  const text = await runCli(['etl', 'history', '--pipeline', 'spotify'], ws);
  assert.match(text.stdout, /RUN\s+PIPELINE\s+STATUS/);
  assert.match(text.stdout, /1\s+spotify\s+failed/);
  const show = await runCli(['etl', 'show', '1', '--json'], ws);
  assert.is(show.code, 0);
  assert.is(JSON.parse(show.stdout).run.status, 'failed');
  const missing = await runCli(['etl', 'show', '99'], ws);
  assert.is(missing.code, 2);
  assert.match(missing.stderr, /run 99 does not exist/);
  const bad = await runCli(['etl', 'history', '--limit', 'x'], ws);
  assert.is(bad.code, 2);
});

test('a second run while the pipeline is locked exits 1 at once naming host, pid and since', async () => {
  const ws = workspace();
  assert.is((await runCli(['etl', 'history'], ws)).code, 0, 'creates the state store');
  const store = await openStateStore(`sqlite:${join(ws.env.OPSCTL_HOME!, 'state.db')}`);
  const since = '2026-12-01T01:02:03.000Z';
  try {
    await store.run(
      'INSERT INTO locks (name, host, pid, process_start, operation, run_id, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ['pipeline:spotify', hostname(), process.pid, null, 'etl.run', null, since, since],
    );
  } finally {
    await store.close();
  }
  const started = Date.now();
  const r = await runCli(['etl', 'run', 'spotify'], ws);
  assert.is(r.code, 1);
  assert.ok(Date.now() - started < 20_000, 'does not wait for the lock');
  assert.match(
    r.stderr,
    new RegExp(
      `pipeline spotify not started: pipeline spotify is locked by pid ${process.pid} on ${hostname()} \\(etl\\.run\\) since ${since.replace(/\./g, '\\.')}`,
    ),
  );
  const history = JSON.parse((await runCli(['etl', 'history', '--json'], ws)).stdout) as { total: number };
  assert.is(history.total, 0, 'no run recorded');
  const json = await runCli(['etl', 'run', '--json'], ws);
  assert.is(json.code, 1);
  const doc = JSON.parse(json.stdout) as {
    ok: boolean;
    executions: Array<{ status: string; holder: { pid: number } }>;
  };
  assert.is(doc.ok, false);
  assert.equal([doc.executions[0]!.status, doc.executions[0]!.holder.pid], ['locked', process.pid]);
});

test('usage errors exit 2: unknown pipeline, retention without confirmation off a terminal, a bad age', async () => {
  const ws = workspace();
  const unknown = await runCli(['etl', 'run', 'nope'], ws);
  assert.is(unknown.code, 2);
  assert.match(unknown.stderr, /unknown pipeline: nope/);
  assert.match(unknown.stderr, /Configured pipelines: spotify/);
  const dry = await runCli(['etl', 'retention', '--older-than', '90d', '--dry-run', '--json'], ws);
  assert.is(dry.code, 0, dry.stderr);
  const doc = JSON.parse(dry.stdout) as { dryRun: boolean; total: number; tables: Array<{ table: string }> };
  assert.equal(
    [doc.dryRun, doc.total, doc.tables.map((t) => t.table)],
    [true, 0, ['recently_played', 'top_tracks', 'top_artists']],
  );
  const age = await runCli(['etl', 'retention', '--older-than', '3 months'], ws);
  assert.is(age.code, 2);
  assert.match(age.stderr, /must be a number of days such as 90d/);
});

test('a lock left by a killed run (kill -9) is taken over at once, and its run is closed as failed', async () => {
  const ws = workspace();
  assert.is((await runCli(['etl', 'history'], ws)).code, 0, 'creates the state store');
  const url = `sqlite:${join(ws.env.OPSCTL_HOME!, 'state.db')}`;
  const holder = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'tests/helpers/lock-holder.ts'), url, 'spotify'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    holder.stdout.on('data', (c: Buffer) => String(c).includes('holding') && resolve());
    holder.on('exit', (code) => reject(new Error(`holder exited ${code}`)));
  });
  const blocked = await runCli(['etl', 'run', '-q'], ws);
  assert.is(blocked.code, 1);
  assert.match(
    blocked.stderr,
    new RegExp(`pipeline spotify not started: pipeline spotify is locked by pid ${holder.pid} on `),
  );
  holder.kill('SIGKILL');
  await new Promise((r) => holder.once('exit', r));

  // Dead before anything closed it: the history names it orphaned, in text and JSON, with the reason.
  const dead = await runCli(['etl', 'history', '--status', 'orphaned', '--json'], ws);
  const deadRuns = (JSON.parse(dead.stdout) as { runs: Array<{ id: number; status: string; orphanReason: string }> })
    .runs;
  assert.equal(
    deadRuns.map((r) => [r.id, r.status]),
    [[1, 'orphaned']],
  );
  assert.match(deadRuns[0]!.orphanReason, new RegExp(`process ${holder.pid} on .* exited without finishing the run`));
  assert.match((await runCli(['etl', 'history'], ws)).stdout, /\borphaned\b.*exited without finishing/);

  const next = await runCli(['etl', 'run', '-q', '--json'], ws);
  assert.not.match(next.stderr, /not started/);
  const doc = JSON.parse(next.stdout) as {
    orphansClosed: number;
    executions: Array<{ status: string; run: { id: number } | null }>;
  };
  assert.is(doc.orphansClosed, 1);
  assert.ok(doc.executions[0]!.status === 'succeeded' || doc.executions[0]!.status === 'failed', 'the pipeline ran');
  assert.is(doc.executions[0]!.run!.id, 2);
  const history = JSON.parse((await runCli(['etl', 'history', '--json'], ws)).stdout) as {
    runs: Array<{ id: number; status: string; error: string | null }>;
  };
  const orphan = history.runs.find((r) => r.id === 1)!;
  assert.is(orphan.status, 'failed');
  assert.match(orphan.error!, new RegExp(`process ${holder.pid} on .* exited without finishing the run`));
});

test.run();
