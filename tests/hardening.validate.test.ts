import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verdict, type ValidateResult } from '../commands/validate/index.js';
import { toJunit } from '../src/validate/junit.js';
import { runCli } from './helpers/cli.js';
import { junitSchemaErrors, xmllintMissing } from './helpers/junit-schema.js';
import { tempDir } from './helpers/tmp.js';

test('a config that is not valid JSON fails the gate whatever --only says (text, --json, JUnit)', async () => {
  const dir = tempDir('opsctl-hard-validate-');
  writeFileSync(join(dir, 'opsctl.config.json'), '{ "targets": { oops');
  const env = { OPSCTL_HOME: join(dir, 'home') };
  const only = ['--env', 'production', '--only', 'connectivity', 'migrations', 'backups'];

  const text = await runCli(['validate', ...only, '--junit', 'out.xml'], { cwd: dir, env });
  assert.is(text.code, 1, text.stdout + text.stderr);
  assert.match(text.stdout, /FAIL\s+config\s+schema: /);
  assert.match(text.stdout, /NOT safe to ship to production/);
  assert.not.match(text.stdout, /^safe to ship/m);
  const xml = readFileSync(join(dir, 'out.xml'), 'utf8');
  // the strict Ant schema allows no totals on <testsuites>: the failure is counted on its suite
  assert.match(xml, /<testsuite name="config" [^>]*failures="1"/);
  assert.match(xml, /<failure /);
  if (!xmllintMissing()) assert.equal(junitSchemaErrors(xml), [], xml);

  const json = await runCli(['validate', '--json', ...only], { cwd: dir, env });
  assert.is(json.code, 1, json.stderr);
  const result = JSON.parse(json.stdout) as ValidateResult;
  assert.is(result.ok, false);
  assert.ok(result.checks.some((c) => c.group === 'config' && c.status === 'fail'));
});

test('a run that executes zero checks is never safe: "no checks selected", a failure in JSON and JUnit', () => {
  const none = verdict([], ['sync'], 'no checks ran for --only sync');
  assert.is(none.ok, false);
  assert.is(none.noChecks, true);
  assert.equal(none.counts, { pass: 0, warn: 0, fail: 1 });
  assert.is(none.checks[0]?.name, 'no checks selected');
  const xml = toJunit({ env: 'production', startedAt: new Date().toISOString(), durationMs: 1, ...none });
  assert.match(xml, /<testsuite name="validate" [^>]*tests="1" failures="1"/);
  assert.match(xml, /<failure message="no checks ran for --only sync"/);

  const some = verdict(
    [{ group: 'config', name: 'schema', status: 'pass', reason: 'ok', durationMs: 1 }],
    ['config'],
    '',
  );
  assert.is(some.ok, true);
  assert.is(some.noChecks, false);
});

test.run();
