import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ValidateResult } from '../commands/validate/index.js';
import { compareVersions, judgeVersion } from '../src/validate/versions.js';
import { looksLikePlaceholder } from '../src/validate/placeholders.js';
import { runCli } from './helpers/cli.js';
import { createMysqlDatabase, createPgDatabase, type TempDatabase } from './helpers/databases.js';
import { tempDir } from './helpers/tmp.js';
import { junitSchemaErrors, xmllintMissing } from './helpers/junit-schema.js';

const dbs: TempDatabase[] = [];
let pgDb: TempDatabase;
let myDb: TempDatabase;

test.before(async () => {
  pgDb = await createPgDatabase('opsctl_val');
  myDb = await createMysqlDatabase('opsctl_val');
  dbs.push(pgDb, myDb);
});

test.after(async () => {
  for (const db of dbs) await db.drop();
});

/** A workspace with its own config and home; returns how to run validate in it. */
function workspace(config: Record<string, unknown>, files: Record<string, string> = {}) {
  const dir = tempDir('opsctl-validate-');
  writeFileSync(join(dir, 'opsctl.config.json'), JSON.stringify({ home: './home', ...config }, null, 2));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return {
    dir,
    run: (args: string[], env: Record<string, string> = {}) => runCli(['validate', ...args], { cwd: dir, env }),
    json: async (args: string[], env: Record<string, string> = {}) => {
      const r = await runCli(['validate', '--json', ...args], { cwd: dir, env });
      return { ...r, result: JSON.parse(r.stdout) as ValidateResult };
    },
  };
}

const find = (r: ValidateResult, group: string, name: string) => {
  const check = r.checks.find((c) => c.group === group && c.name === name);
  assert.ok(check, `no check ${group}/${name} in ${r.checks.map((c) => `${c.group}/${c.name}`).join(', ')}`);
  return check;
};

test('a healthy development workspace passes: real PostgreSQL and MariaDB answer on supported versions', async () => {
  const ws = workspace({
    targets: { app: { engine: 'postgres', url: pgDb.url }, reco: { engine: 'mysql', url: myDb.url } },
  });
  const { code, result, stderr } = await ws.json(['--only', 'config', 'environment', 'connectivity']);
  assert.is(code, 0, stderr);
  assert.ok(result.ok);
  assert.is(result.counts.fail, 0);
  assert.match(find(result, 'connectivity', 'target app').reason, /^PostgreSQL 1\d/);
  assert.match(find(result, 'connectivity', 'target reco').reason, /^MariaDB 10\./);
  assert.match(find(result, 'connectivity', 'target app timescaledb').reason, /^basic: plain PostgreSQL/);
  assert.is(find(result, 'connectivity', 'target app').status, 'pass');
});

test('an unreachable target fails the gate with exit 1 and a hint; text output streams every check', async () => {
  const ws = workspace({ targets: { gone: { engine: 'postgres', url: 'postgres://postgres@127.0.0.1:1/none' } } });
  const r = await ws.run(['--only', 'connectivity']);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stdout, /FAIL\s+connectivity target gone: /);
  assert.match(r.stdout, /hint: /);
  assert.match(r.stdout, /NOT safe to ship to development: \d+ passed, 0 warnings, 1 failed/);
});

test('production checklist: each rule fails on its own with a reason that names it', async () => {
  const ws = workspace({ environment: 'production', logLevel: 'DEBUG', validate: { application: {} } });
  const { code, result } = await ws.json(['--only', 'environment', '--env', 'production'], {
    SECRET_KEY: 'short-key',
    CORS_ORIGINS: 'https://a.example.org, *',
    DEBUG: 'true',
    DATABASE_URL: 'postgres://app:tiny@127.0.0.1:5432/app',
  });
  assert.is(code, 1);
  assert.is(find(result, 'environment', 'SECRET_KEY').status, 'fail');
  assert.match(find(result, 'environment', 'SECRET_KEY').reason, /9 characters; at least 32/);
  assert.is(find(result, 'environment', 'CORS_ORIGINS').status, 'fail');
  assert.is(find(result, 'environment', 'DEBUG').status, 'fail');
  assert.is(find(result, 'environment', 'LOG_LEVEL').status, 'fail');
  assert.match(find(result, 'environment', 'database passwords').reason, /shorter than 16 characters: DATABASE_URL$/);
  assert.is(find(result, 'environment', 'required variables').status, 'pass');
  assert.is(find(result, 'environment', 'ENVIRONMENT').status, 'pass');
});

test('production checklist: good values pass, and a missing variable is named', async () => {
  const ws = workspace({
    environment: 'production',
    logLevel: 'WARNING',
    validate: { application: { requiredVariables: { production: ['SECRET_KEY', 'DATABASE_URL'] } } },
  });
  const good = await ws.json(['--only', 'environment', '--env', 'production'], {
    SECRET_KEY: 'k'.repeat(40),
    CORS_ORIGINS: 'https://a.example.org',
    DATABASE_URL: 'postgres://app:aVeryLongPassword123@127.0.0.1:5432/app',
  });
  assert.is(good.code, 0, JSON.stringify(good.result.checks.filter((c) => c.status !== 'pass')));
  const missing = await ws.json(['--only', 'environment', '--env', 'production'], {
    CORS_ORIGINS: 'https://a.example.org',
  });
  assert.is(missing.code, 1);
  assert.match(find(missing.result, 'environment', 'required variables').reason, /not set: SECRET_KEY, DATABASE_URL/);
  const staging = await ws.json(['--only', 'environment', '--env', 'staging'], { DATABASE_URL: 'postgres://a@h/db' });
  assert.is(
    find(staging.result, 'environment', 'ENVIRONMENT').status,
    'warn',
    'ENVIRONMENT=production while validating staging is a warning',
  );
  assert.is(find(staging.result, 'environment', 'SECRET_KEY').status, 'pass');
});

test('production with no validate.application block runs none of the application checks', async () => {
  // PostgreSQL state and target, so the only embedded default left is the DuckDB warehouse
  const ws = workspace({
    environment: 'production',
    logLevel: 'WARNING',
    state: { url: pgDb.url },
    targets: { app: { engine: 'postgres', url: pgDb.url } },
  });
  const { code, result } = await ws.json(['--only', 'config', 'environment', '--env', 'production']);
  assert.is(code, 0, JSON.stringify(result.checks.filter((c) => c.status === 'fail')));
  assert.is(find(result, 'environment', 'required variables').status, 'pass');
  for (const name of ['SECRET_KEY', 'CORS_ORIGINS', 'DEBUG'])
    assert.not.ok(
      result.checks.some((c) => c.name === name),
      `${name} checked without an application block`,
    );
  // the embedded DuckDB warehouse is a warning in production, not a failed 'defaults'
  assert.is(find(result, 'config', 'warehouse').status, 'warn');
  assert.match(find(result, 'config', 'warehouse').reason, /DuckDB/);
  assert.not.match(find(result, 'config', 'defaults').reason, /DuckDB/);
});

test('validate.application: its own names, minSecretLength 0 turns the secret check off, null turns CORS off', async () => {
  const ws = workspace({
    environment: 'production',
    logLevel: 'WARNING',
    validate: {
      application: {
        requiredVariables: { production: ['APP_API_URL'] },
        secretVariable: 'APP_SIGNING_KEY',
        minSecretLength: 0,
        corsVariable: null,
        debugVariable: 'APP_DEBUG',
      },
    },
  });
  const { code, result } = await ws.json(['--only', 'environment', '--env', 'production'], {
    CORS_ORIGINS: '*',
    APP_DEBUG: '0',
  });
  assert.is(code, 1);
  assert.match(find(result, 'environment', 'required variables').reason, /^not set: APP_API_URL$/);
  assert.is(find(result, 'environment', 'APP_DEBUG').status, 'pass');
  for (const name of ['APP_SIGNING_KEY', 'SECRET_KEY', 'CORS_ORIGINS'])
    assert.not.ok(
      result.checks.some((c) => c.name === name),
      name,
    );
  const set = await ws.json(['--only', 'environment', '--env', 'production'], { APP_API_URL: 'https://api.internal' });
  assert.is(set.code, 0, JSON.stringify(set.result.checks.filter((c) => c.status === 'fail')));
});

test('a .env file tracked by git fails; an untracked one passes', async () => {
  const ws = workspace({}, { '.env': 'SECRET_KEY=abc\n', '.env.example': 'SECRET_KEY=\n' });
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', ws.dir, '-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { stdio: 'pipe' });
  git('init', '-q');
  git('add', '.env.example', 'opsctl.config.json');
  git('commit', '-qm', 'init');
  const untracked = await ws.json(['--only', 'environment']);
  assert.is(find(untracked.result, 'environment', '.env not in git').status, 'pass');
  git('add', '-f', '.env');
  git('commit', '-qm', 'oops');
  const tracked = await ws.json(['--only', 'environment']);
  const check = find(tracked.result, 'environment', '.env not in git');
  assert.is(check.status, 'fail');
  assert.match(check.reason, /tracked by git: \.env$/);
  assert.is(tracked.code, 1);
});

test('a config with three mistakes is one failed check naming all three, exit 1, and the JUnit file is still written', async () => {
  const dir = tempDir('opsctl-validate-');
  writeFileSync(
    join(dir, 'opsctl.config.json'),
    JSON.stringify({
      environment: 'prod',
      targets: { app: { engine: 'oracle', url: 'x' } },
      warehouse: { kind: 'bigquery' },
    }),
  );
  const junit = join(dir, 'reports', 'validate.xml');
  const r = await runCli(['validate', '--junit', junit], { cwd: dir });
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stdout, /FAIL\s+config\s+schema: invalid configuration \(3 problems\): /);
  for (const path of ['environment: ', 'targets.app.engine: ', 'warehouse.bigquery.projectId: '])
    assert.ok(r.stdout.includes(path), path);
  const xml = readFileSync(junit, 'utf8');
  assert.is(XMLValidator.validate(xml), true);
  assert.match(xml, /<failure message="invalid configuration \(3 problems\)/);
});

test('JUnit output is well-formed XML with one test case per check and a failure per failed check', async () => {
  const ws = workspace({
    targets: {
      app: { engine: 'postgres', url: pgDb.url },
      gone: { engine: 'mysql', url: 'mysql://root@127.0.0.1:1/x' },
    },
  });
  const junit = join(ws.dir, 'validate.xml');
  const { result } = await ws.json(['--junit', junit, '--only', 'config', 'environment', 'connectivity']);
  const xml = readFileSync(junit, 'utf8');
  assert.is(XMLValidator.validate(xml), true);
  if (!xmllintMissing()) assert.equal(junitSchemaErrors(xml), [], xml);
  const doc = new XMLParser({
    ignoreAttributes: false,
    isArray: (name) => name === 'testsuite' || name === 'testcase',
  }).parse(xml);
  const suites = doc.testsuites.testsuite as Array<{
    '@_name': string;
    '@_failures': string;
    testcase: Array<{ '@_name': string; failure?: unknown }>;
  }>;
  assert.equal(
    suites.map((s) => s['@_name']),
    ['config', 'environment', 'connectivity'],
  );
  const cases = suites.flatMap((s) => s.testcase);
  assert.is(cases.length, result.checks.length);
  assert.is(cases.filter((c) => c.failure !== undefined).length, result.counts.fail);
  const suiteFailures = suites.reduce((n, s) => n + Number(s['@_failures']), 0);
  assert.is(suiteFailures, result.counts.fail);
  assert.ok(result.counts.fail >= 1);
});

test('a secret in every field is shown nowhere: text, JSON or JUnit', async () => {
  const secret = 'S3cr3tValue-9f8e7d6c5b4a';
  const ws = workspace({
    environment: 'production',
    validate: { application: {} },
    state: { url: `postgres://opsctl:${secret}@127.0.0.1:1/state` },
    targets: {
      app: { engine: 'postgres', url: `postgres://app:${secret}@127.0.0.1:1/app` },
      reco: { engine: 'mysql', url: `mysql://reco:${secret}@127.0.0.1:1/reco` },
    },
    spotify: { clientId: 'id-1234', clientSecret: secret, refreshToken: secret },
    pipelines: { spotify: { kind: 'spotify', source: 'api' } },
    bot: { token: secret, allowedChats: [1] },
    warehouse: {
      kind: 'bigquery',
      bigquery: { projectId: 'proj', accessToken: secret, apiEndpoint: 'http://127.0.0.1:1' },
    },
  });
  const env = {
    SECRET_KEY: secret,
    DATABASE_URL: `postgres://u:${secret}@127.0.0.1:1/db`,
    CORS_ORIGINS: '*',
    TELEGRAM_BOT_TOKEN: secret,
  };
  const junit = join(ws.dir, 'out.xml');
  const text = await ws.run(['--env', 'production', '--junit', junit], env);
  const json = await runCli(['validate', '--json', '--env', 'production', '--log-level', 'debug'], {
    cwd: ws.dir,
    env,
  });
  assert.is(text.code, 1);
  assert.is(json.code, 1);
  for (const [what, output] of [
    ['text stdout', text.stdout],
    ['text stderr', text.stderr],
    ['json stdout', json.stdout],
    ['json stderr', json.stderr],
    ['junit', readFileSync(junit, 'utf8')],
  ] as const) {
    assert.not.ok(output.includes(secret), `${what} shows the secret`);
    assert.not.ok(output.includes('S3cr3t'), `${what} shows part of the secret`);
  }
  assert.match(text.stdout, /FAIL\s+connectivity target app/);
});

test('an unknown --only group is a usage error (exit 2) that lists the groups', async () => {
  const ws = workspace({});
  const r = await ws.run(['--only', 'nonsense']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /unknown check group: nonsense/);
  assert.match(r.stderr, /config, environment, connectivity/);
});

test('placeholders: a warning in development, a failure before staging and production', async () => {
  const ws = workspace({ spotify: { clientId: 'your-client-id' } });
  const dev = await ws.json(['--only', 'config']);
  assert.is(find(dev.result, 'config', 'placeholders').status, 'warn');
  assert.match(find(dev.result, 'config', 'placeholders').reason, /config spotify\.clientId/);
  assert.is(dev.code, 0, 'warnings never fail');
  const staging = await ws.json(['--only', 'config', '--env', 'staging']);
  assert.is(find(staging.result, 'config', 'placeholders').status, 'fail');
  assert.is(staging.code, 1);
  assert.ok(looksLikePlaceholder('change-me'));
  assert.ok(looksLikePlaceholder('postgres://opsctl:change-me@db/opsctl'));
  assert.not.ok(looksLikePlaceholder('spotify_data'));
  assert.not.ok(looksLikePlaceholder('https://dashboards.acme.io'));
});

test("server versions: the seeds' minimums (MySQL 5.7, MariaDB 10.2, PostgreSQL 12)", () => {
  assert.is(judgeVersion('MySQL 5.6.51')?.ok, false);
  assert.is(judgeVersion('MySQL 5.7.44')?.ok, true);
  assert.is(judgeVersion('MariaDB 10.1.48')?.ok, false);
  assert.is(judgeVersion('MariaDB 10.2.0')?.ok, true);
  assert.is(judgeVersion('PostgreSQL 11.22')?.ok, false);
  assert.is(judgeVersion('PGlite (PostgreSQL 18.0)')?.ok, true);
  assert.is(judgeVersion('Oracle 19c'), undefined);
  assert.is(compareVersions('10.11.9', '10.2'), 1);
});

test('bigquery: the projection over the budget fails the gate; no usage passes; DuckDB has nothing to check', async () => {
  const { startBigqueryCostsFake } = await import('./fakes/bigquery-costs.js');
  const recent = new Date(Date.now() - 3_600_000).toISOString();
  const busy = await startBigqueryCostsFake({
    jobs: [
      {
        jobId: 'j',
        user: 'bi@acme.com',
        createdAt: recent,
        bytesBilled: 3 * 1024 ** 4,
        bytesProcessed: 3 * 1024 ** 4,
        query: 'SELECT *',
      },
    ],
    storage: [],
  });
  const idle = await startBigqueryCostsFake({ jobs: [], storage: [] });
  try {
    const env = { BIGQUERY_ACCESS_TOKEN: 'token-for-the-fake' };
    const over = workspace({ warehouse: { kind: 'bigquery', bigquery: { projectId: 'acme', apiEndpoint: busy.url } } });
    const r1 = await over.json(['--only', 'bigquery'], env);
    assert.is(r1.code, 1);
    assert.is(find(r1.result, 'bigquery', 'projection').status, 'fail');
    assert.match(find(r1.result, 'bigquery', 'projection').reason, /over budget/);
    const fine = workspace({ warehouse: { kind: 'bigquery', bigquery: { projectId: 'acme', apiEndpoint: idle.url } } });
    const r2 = await fine.json(['--only', 'bigquery'], env);
    assert.is(r2.code, 0, JSON.stringify(r2.result.checks));
    assert.match(find(r2.result, 'bigquery', 'projection').reason, /projected \$0 of the \$1\.00 budget/);
    const duck = await workspace({}).json(['--only', 'bigquery']);
    assert.match(find(duck.result, 'bigquery', 'warehouse').reason, /DuckDB/);
  } finally {
    await busy.close();
    await idle.close();
  }
});

test.run();
