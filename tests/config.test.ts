import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../src/config/load.js';
import { ENV_BINDINGS } from '../src/config/env.js';
import { ConfigError } from '../src/errors.js';
import { Redactor } from '../src/log/redact.js';
import { ROOT } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const load = (opts: Parameters<typeof loadConfig>[0] = {}) =>
  loadConfig({ redactor: new Redactor(), env: {}, ...opts });

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

test('zero config gives the embedded defaults under ./.opsctl', () => {
  const cwd = tempDir();
  const { config, sources, configFile } = load({ cwd });
  assert.is(configFile, undefined);
  assert.is(config.home, join(cwd, '.opsctl'));
  assert.is(config.state.url, `sqlite:${join(cwd, '.opsctl', 'state.db')}`);
  assert.is(config.warehouse.kind, 'duckdb');
  assert.is(config.warehouse.duckdb.path, join(cwd, '.opsctl', 'warehouse.duckdb'));
  assert.equal(Object.keys(config.targets), ['local']);
  assert.is(config.targets.local!.engine, 'pglite');
  assert.is((config.targets.local as { path: string }).path, join(cwd, '.opsctl', 'pglite', 'local'));
  assert.is(config.logLevel, 'info');
  assert.is(sources['warehouse.kind'], 'default');
});

test("environment variables use the seeds' names and say where they came from", () => {
  const cwd = tempDir();
  const { config, sources } = load({
    cwd,
    env: {
      DATABASE_URL: 'postgres://app:pw-123456@db.internal:5432/app',
      LOG_LEVEL: 'WARNING',
      ENVIRONMENT: 'staging',
      OPSCTL_HOME: '/var/lib/opsctl',
      BIGQUERY_PROJECT_ID: 'my-proj',
      OPSCTL_WAREHOUSE: 'bigquery',
      TELEGRAM_BOT_TOKEN: '123:abc-token',
      OPSCTL_BOT_ALLOWED_CHATS: '1, -100',
      OPSCTL_BOT_PORT: '9000',
    },
  });
  assert.is(config.targets.app!.engine, 'postgres');
  assert.is(config.logLevel, 'warn');
  assert.is(config.environment, 'staging');
  assert.is(config.home, '/var/lib/opsctl');
  assert.is(config.warehouse.kind, 'bigquery');
  assert.is(config.warehouse.bigquery.projectId, 'my-proj');
  assert.equal(config.bot.allowedChats, [1, -100]);
  assert.is(config.bot.port, 9000);
  assert.is(sources['targets.app.url'], 'env:DATABASE_URL');
  assert.is(sources['targets.app.engine'], 'env:DATABASE_URL');
  assert.is(sources.logLevel, 'env:LOG_LEVEL');
});

test('.env is read, the process environment wins over it, and --env-file must exist', () => {
  const cwd = tempDir();
  writeFileSync(join(cwd, '.env'), 'ENVIRONMENT=staging\nLOG_LEVEL=debug\n# comment\nBIGQUERY_DATASET="quoted_ds"\n');
  const a = load({ cwd, env: { LOG_LEVEL: 'error' } });
  assert.is(a.config.environment, 'staging');
  assert.is(a.config.logLevel, 'error');
  assert.is(a.config.warehouse.bigquery.dataset, 'quoted_ds');
  assert.is(a.sources.environment, '.env:ENVIRONMENT');
  assert.is(a.sources.logLevel, 'env:LOG_LEVEL');
  assert.is(a.envFile, join(cwd, '.env'));
  const e = configError(() => load({ cwd, envFile: 'missing.env' }));
  assert.match(e.message, /env file not found/);
});

test('config file: found in cwd, paths relative to it, ${VAR} interpolated', () => {
  const cwd = tempDir();
  mkdirSync(join(cwd, 'conf'));
  writeFileSync(
    join(cwd, 'conf', 'opsctl.config.json'),
    JSON.stringify({
      home: 'state-here',
      targets: {
        reco: { engine: 'mysql', url: 'mysql://root:${RECO_PW}@127.0.0.1:3306/reco' },
        scratch: { engine: 'pglite', path: 'pg' },
      },
      backups: { dir: '/srv/backups' },
    }),
  );
  const { config, sources, configFile } = load({
    cwd,
    configPath: 'conf/opsctl.config.json',
    env: { RECO_PW: 'hunter2hunter2' },
  });
  assert.is(configFile, join(cwd, 'conf', 'opsctl.config.json'));
  assert.is(config.home, join(cwd, 'conf', 'state-here'));
  assert.is((config.targets.scratch as { path: string }).path, join(cwd, 'conf', 'pg'));
  assert.is((config.targets.reco as { url: string }).url, 'mysql://root:hunter2hunter2@127.0.0.1:3306/reco');
  assert.is(sources['targets.reco.url'], 'file (${RECO_PW})');
  assert.is(config.backups.dir, '/srv/backups');
  assert.not.ok('local' in config.targets, 'configured targets replace the default one');
});

test('three mistakes are reported together, each by path, with what was expected and how to fix it', () => {
  const cwd = tempDir();
  writeFileSync(
    join(cwd, 'opsctl.config.json'),
    JSON.stringify({
      warehouse: { kind: 'bq' },
      targets: { app: { engine: 'postgres', url: 'not a url' } },
      bot: { prot: 8000 },
    }),
  );
  const e = configError(() => load({ cwd, env: { OPSCTL_BOT_PORT: 'eighty' } }));
  assert.is(e.exitCode, 2);
  const problems = (e.details as { problems: Array<{ path: string; message: string; fix: string }> }).problems;
  const paths = problems.map((p) => p.path).sort();
  assert.equal(paths, ['bot.port', 'bot.prot', 'targets.app.url', 'warehouse.kind']);
  assert.match(
    e.message,
    /warehouse\.kind \(in .*opsctl\.config\.json\): expected one of "duckdb"\|"bigquery", got "bq"/,
  );
  assert.match(e.message, /targets\.app\.url .*must be a URL like postgres:\/\//);
  assert.match(e.message, /bot\.prot .*is not a known field/);
  assert.match(
    e.message,
    /bot\.port \(from environment variable OPSCTL_BOT_PORT\): must be a whole number.*fix OPSCTL_BOT_PORT/,
  );
  assert.match(e.message, /invalid configuration \(4 problems\)/);
});

test("BigQuery labels follow BigQuery's rules: a value BigQuery would refuse on every job is a config error naming it", () => {
  const cwd = tempDir();
  const write = (labels: Record<string, string>) =>
    writeFileSync(
      join(cwd, 'opsctl.config.json'),
      JSON.stringify({ warehouse: { kind: 'bigquery', bigquery: { projectId: 'p', labels } } }),
    );
  write({ team: 'Data Platform', Owner: 'x', cost_center: '', équipe: 'données-42' });
  const e = configError(() => load({ cwd, env: {} }));
  const problems = (e.details as { problems: Array<{ path: string; message: string }> }).problems;
  assert.equal(problems.map((p) => p.path).sort(), [
    'warehouse.bigquery.labels.Owner',
    'warehouse.bigquery.labels.team',
  ]);
  assert.match(
    e.message,
    /warehouse\.bigquery\.labels\.team .*must be a BigQuery label value: .*no spaces or capitals/,
  );
  assert.match(e.message, /must be a BigQuery label key/);
  // Empty values and lowercase international letters are allowed, as BigQuery allows them.
  write({ team: 'data-platform', cost_center: '', équipe: 'données-42' });
  assert.equal(load({ cwd, env: {} }).config.warehouse.bigquery.labels, {
    team: 'data-platform',
    cost_center: '',
    équipe: 'données-42',
  });
  write({ team: 'x'.repeat(64) });
  assert.throws(() => load({ cwd, env: {} }), /at most 63/);
});

test('a JSON syntax error names the line and column', () => {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'opsctl.config.json'), '{\n  "environment": "staging",\n  "logLevel": \n}\n');
  const e = configError(() => load({ cwd }));
  assert.match(e.message, /is not valid JSON at line 4, column 1/);
});

test('a required value the environment must give names the variable', () => {
  const e = configError(() => load({ cwd: tempDir(), env: { OPSCTL_WAREHOUSE: 'bigquery' } }));
  assert.match(
    e.message,
    /warehouse\.bigquery\.projectId .*is required when warehouse\.kind is "bigquery"; set BIGQUERY_PROJECT_ID/,
  );
});

test('a bad secret value is never echoed in the error', () => {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'opsctl.config.json'), JSON.stringify({ bot: { token: 12345678901 } }));
  const e = configError(() => load({ cwd }));
  assert.match(e.message, /bot\.token/);
  assert.not.match(e.message, /12345678901/);
});

test('.env.example documents every variable opsctl reads', () => {
  const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
  for (const binding of ENV_BINDINGS) assert.match(example, new RegExp(`^#? ?${binding.name}=`, 'm'), binding.name);
});

test('discovery: ./opsctl.config.json, then $OPSCTL_HOME, $XDG_CONFIG_HOME/opsctl, /etc/opsctl; the finder is named', () => {
  const cwd = tempDir();
  const xdg = tempDir();
  mkdirSync(join(xdg, 'opsctl'));
  writeFileSync(join(xdg, 'opsctl', 'opsctl.config.json'), JSON.stringify({ environment: 'staging' }));
  const fromXdg = load({ cwd, env: { XDG_CONFIG_HOME: xdg } });
  assert.is(fromXdg.configFile, join(xdg, 'opsctl', 'opsctl.config.json'));
  assert.is(fromXdg.configFoundBy, '$XDG_CONFIG_HOME');
  assert.is(fromXdg.config.environment, 'staging');
  writeFileSync(join(cwd, 'opsctl.config.json'), JSON.stringify({ environment: 'production' }));
  const local = load({ cwd, env: { XDG_CONFIG_HOME: xdg } });
  assert.is(local.configFoundBy, './opsctl.config.json');
  assert.is(local.config.environment, 'production');
  const none = load({ cwd: tempDir(), env: { XDG_CONFIG_HOME: tempDir() } });
  assert.is(none.configFile, undefined);
  assert.ok(none.configSearched.includes('/etc/opsctl/opsctl.config.json'), none.configSearched.join(', '));
});

test('the .env beside the config file is read too (cron in another directory); the working directory wins', () => {
  const etc = tempDir();
  writeFileSync(
    join(etc, 'opsctl.config.json'),
    JSON.stringify({ targets: { app: { engine: 'postgres', url: '${APP_URL}' } } }),
  );
  writeFileSync(join(etc, '.env'), 'APP_URL=postgres://u@db.example:5432/app\nLOG_LEVEL=debug\n');
  const elsewhere = tempDir();
  const loaded = load({ cwd: elsewhere, configPath: join(etc, 'opsctl.config.json') });
  assert.is((loaded.config.targets.app as { url: string }).url, 'postgres://u@db.example:5432/app');
  assert.equal(loaded.envFiles, [join(etc, '.env')]);
  assert.is(loaded.sources.logLevel, '.env:LOG_LEVEL');
  writeFileSync(join(elsewhere, '.env'), 'LOG_LEVEL=warn\n');
  const both = load({ cwd: elsewhere, configPath: join(etc, 'opsctl.config.json') });
  assert.is(both.config.logLevel, 'warn');
  assert.equal(both.envFiles, [join(elsewhere, '.env'), join(etc, '.env')]);
  const processWins = load({
    cwd: elsewhere,
    configPath: join(etc, 'opsctl.config.json'),
    env: { LOG_LEVEL: 'error' },
  });
  assert.is(processWins.config.logLevel, 'error');
});

test('the default migrations.dir resolves beside the config file, not in the working directory', () => {
  const etc = tempDir();
  writeFileSync(join(etc, 'opsctl.config.json'), '{}');
  const elsewhere = tempDir();
  const loaded = load({ cwd: elsewhere, configPath: join(etc, 'opsctl.config.json') });
  assert.is(loaded.config.migrations.dir, join(etc, 'migrations'));
  assert.is(load({ cwd: elsewhere }).config.migrations.dir, join(elsewhere, 'migrations'), 'no config: the cwd');
});

test.run();
