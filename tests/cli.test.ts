import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BIN, cliHome, ROOT, runCli, stderrText } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

test('--version prints the package version', async () => {
  const r = await runCli(['--version']);
  assert.is(r.code, 0);
  assert.is(r.stdout.trim(), pkg.version);
});

test('--help lists the commands, global options and exit codes', async () => {
  const r = await runCli(['--help']);
  assert.is(r.code, 0);
  for (const word of [
    'status',
    'demo',
    'config',
    'console',
    '--json',
    '--config',
    '--env-file',
    '--log-level',
    '--quiet',
    '--no-color',
    'Exit codes',
  ]) {
    assert.ok(r.stdout.includes(word), `help mentions ${word}`);
  }
});

test('an unknown command or option is a usage error: exit 2', async () => {
  const unknown = await runCli(['frobnicate']);
  assert.is(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  assert.not.match(unknown.stderr, /too many arguments/);
  const r = await runCli(['status', '--no-such-flag']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /unknown option/);
});

test('a mistyped command is named with the closest one, at the top level and in groups', async () => {
  const top = await runCli(['statsu']);
  assert.is(top.code, 2);
  assert.match(stderrText(top.stderr), /unknown command 'statsu'\n\(Did you mean status\?\)/);
  const group = await runCli(['help', 'etl', 'rnu']);
  assert.is(group.code, 2);
  assert.match(stderrText(group.stderr), /unknown command 'rnu' for 'opsctl etl'\n\(Did you mean run\?\)/);
});

test('opsctl help [command…] prints the help of that command, on stdout, exit 0', async () => {
  const root = await runCli(['help']);
  assert.is(root.code, 0);
  assert.match(root.stdout, /^Usage: opsctl \[options\] \[command\]/);
  const nested = await runCli(['help', 'etl', 'run']);
  assert.is(nested.code, 0);
  assert.match(nested.stdout, /^Usage: opsctl etl run \[options\] \[pipeline\.\.\.\]/);
  assert.is(nested.stdout, (await runCli(['etl', 'run', '--help'])).stdout);
});

test('opsctl version: version, commit, Node and platform; --json for scripts', async () => {
  const text = await runCli(['version']);
  assert.is(text.code, 0);
  assert.match(
    text.stdout,
    new RegExp(`^opsctl ${pkg.version.replace(/\./g, '\\.')} \\(commit [0-9a-f]{12}(-dirty)?\\) node `),
  );
  const json = await runCli(['version', '--json']);
  assert.is(json.code, 0);
  const doc = JSON.parse(json.stdout) as Record<string, string>;
  assert.equal(Object.keys(doc), ['version', 'commit', 'node', 'platform']);
  assert.is(doc.version, pkg.version);
  assert.is(doc.node, process.versions.node);
  assert.is(doc.platform, `${process.platform}-${process.arch}`);
});

test('bare opsctl without a terminal prints help and exits 2', async () => {
  const r = await runCli([]);
  assert.is(r.code, 2);
  // On a pipe the help is one JSON record pointing at --help (tests/cli.logs.test.ts).
  assert.match(stderrText(r.stderr), /needs a terminal.*\nhint: `opsctl --help` lists the commands/);
});

test('a config with three mistakes reports all three and exits 2, without a stack trace', async () => {
  const cwd = tempDir();
  writeFileSync(
    join(cwd, 'opsctl.config.json'),
    JSON.stringify({
      environment: 'prod',
      warehouse: { kind: 'duckdb', duckdb: { file: 'x' } },
      targets: { app: { engine: 'oracle', url: 'x' } },
    }),
  );
  const r = await runCli(['status'], { cwd });
  assert.is(r.code, 2);
  const text = stderrText(r.stderr);
  assert.match(text, /invalid configuration \(3 problems\)/);
  assert.match(text, /environment .*expected one of "development"\|"staging"\|"production", got "prod"/);
  assert.match(text, /warehouse\.duckdb\.file .*is not a known field/);
  assert.match(text, /targets\.app\.engine .*engine must be one of "postgres", "mysql", "pglite"/);
  assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  const json = await runCli(['status', '--json'], { cwd });
  assert.is(json.code, 2);
  const doc = JSON.parse(json.stdout) as { error: { code: string; details: { problems: unknown[] } } };
  assert.is(doc.error.code, 'CONFIG_INVALID');
  assert.is(doc.error.details.problems.length, 3);
});

test('config show: values, sources, secrets redacted in text and JSON', async () => {
  const cwd = tempDir();
  const env = {
    OPSCTL_HOME: join(cwd, 'home'),
    TELEGRAM_BOT_TOKEN: '987654:telegram-secret-token',
    SPOTIFY_CLIENT_SECRET: 'spotify-client-secret-xyz',
    DATABASE_URL: 'postgres://app:db-pass-0123456789@127.0.0.1:5432/app',
  };
  const text = await runCli(['config', 'show'], { cwd, env });
  assert.is(text.code, 0, text.stderr);
  const json = await runCli(['config', 'show', '--json'], { cwd, env });
  assert.is(json.code, 0);
  for (const out of [text.stdout + text.stderr, json.stdout + json.stderr]) {
    assert.not.match(out, /telegram-secret-token/);
    assert.not.match(out, /spotify-client-secret-xyz/);
    assert.not.match(out, /db-pass-0123456789/);
  }
  assert.match(text.stdout, /bot\.token\s+\*\*\*\s+env:TELEGRAM_BOT_TOKEN/);
  const doc = JSON.parse(json.stdout) as { values: Array<{ path: string; value: unknown; source: string }> };
  const url = doc.values.find((v) => v.path === 'targets.app.url')!;
  assert.is(url.value, 'postgres://app:***@127.0.0.1:5432/app');
  assert.is(url.source, 'env:DATABASE_URL');
  assert.is(doc.values.find((v) => v.path === 'home')!.source, 'env:OPSCTL_HOME');
});

test('--json prints exactly one JSON document on stdout; logs stay on stderr', async () => {
  const cwd = tempDir();
  const r = await runCli(['status', '--json', '--log-level', 'debug'], { cwd, env: cliHome(join(cwd, 'h')) });
  assert.is(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as {
    components: Array<{ id: string; name: string; group: string; status: string }>;
  };
  assert.is(doc.components.find((c) => c.id === 'state')?.status, 'up');
  assert.equal(
    doc.components.filter((c) => c.group === 'target').map((t) => [t.name, t.status]),
    [['local', 'absent']],
  );
});

test('status exits 1 and names the problem when a target is unreachable', async () => {
  const cwd = tempDir();
  const r = await runCli(['status', '--json', '--timeout', '3000'], {
    cwd,
    env: { ...cliHome(join(cwd, 'h')), DATABASE_URL: 'postgres://nobody:pw@127.0.0.1:1/none' },
  });
  assert.is(r.code, 1);
  const doc = JSON.parse(r.stdout) as {
    components: Array<{ id: string; status: string; error: string; hint: string }>;
  };
  const app = doc.components.find((t) => t.id === 'target:app')!;
  assert.is(app.status, 'down');
  assert.match(
    app.error,
    /target "app" \(postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none\) is unreachable: connection refused/,
  );
  assert.match(app.hint, /DATABASE_URL/);
});

test('logs are JSON lines on a pipe and the level is honoured', async () => {
  const cwd = tempDir();
  const env = cliHome(join(cwd, 'h'));
  const r = await runCli(['status', '--log-level', 'info'], { cwd, env });
  const lines = r.stderr.trim().split('\n').filter(Boolean);
  assert.ok(lines.length > 0);
  for (const line of lines) {
    const rec = JSON.parse(line) as { level: string; time: string; msg: string };
    assert.ok(['info', 'warn', 'error'].includes(rec.level));
  }
  const quiet = await runCli(['status', '--quiet'], { cwd, env });
  assert.is(quiet.stderr, '');
});

test('headless commands load neither ink nor react', async () => {
  const cwd = tempDir();
  const { OPSCTL_HOME } = cliHome(join(cwd, 'h'));
  for (const args of [['config', 'show', '--json'], ['status', '--json'], ['--help']]) {
    const trace = join(cwd, `trace-${args[0]}.txt`);
    writeFileSync(trace, '');
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', join(ROOT, 'tests/helpers/trace-loads.mjs'), BIN, ...args], {
        cwd,
        env: { PATH: process.env.PATH ?? '', OPSCTL_TRACE_FILE: trace, OPSCTL_HOME },
        stdio: 'ignore',
      });
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(' ')} exited ${code}`))));
    });
    const loaded = readFileSync(trace, 'utf8');
    assert.ok(loaded.includes('/dist/src/cli.js'), 'the trace saw the CLI load');
    assert.not.match(loaded, /node_modules\/(ink|react|yoga-layout)\//, `${args.join(' ')} loaded ink/react`);
    assert.not.match(loaded, /\/dist\/views\//, `${args.join(' ')} loaded views/`);
    // Commands register by operation name; the catalog loads an operation's module only when it runs.
    if (args[0] === '--help') assert.not.match(loaded, /\/dist\/commands\//, '--help loaded an operation module');
    else assert.ok(loaded.includes('/dist/commands/catalog.js'), `${args.join(' ')} ran through the catalog`);
  }
});

test('global options work after the subcommand too; an unknown one is still a usage error', async () => {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'other.json'), JSON.stringify({ environment: 'staging', home: './h' }));
  const after = await runCli(['config', 'show', '--json', '-q', '-c', 'other.json'], { cwd });
  assert.is(after.code, 0, after.stderr);
  assert.is((JSON.parse(after.stdout) as { environment: string }).environment, 'staging');
  const before = await runCli(['--json', '--config', 'other.json', 'config', 'show'], { cwd });
  assert.equal(JSON.parse(before.stdout), JSON.parse(after.stdout));
  const unknown = await runCli(['config', 'show', '--jsn'], { cwd });
  assert.is(unknown.code, 2);
  assert.match(unknown.stderr, /unknown option '--jsn'/);
});

test.run();
