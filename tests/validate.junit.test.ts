import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verdict } from '../commands/validate/index.js';
import { junitTimestamp, toJunit, type JunitReport } from '../src/validate/junit.js';
import { junitSchemaErrors, xmllintMissing } from './helpers/junit-schema.js';

const missing = xmllintMissing();

const report = (over: Partial<JunitReport> = {}): JunitReport => ({
  env: 'production',
  groups: ['config', 'connectivity', 'services'],
  checks: [
    { group: 'config', name: 'schema', status: 'pass', reason: 'valid', durationMs: 2 },
    {
      group: 'config',
      name: 'placeholders',
      status: 'warn',
      reason: 'targets.app.url holds "changeme" <here> & there ]]>',
      hint: 'replace it',
      durationMs: 1,
    },
    {
      group: 'connectivity',
      name: 'target gone',
      status: 'fail',
      // a control character, a 4-byte character and markup: all must come out as valid XML text
      reason: 'connect ECONNREFUSED \u0007 127.0.0.1:1 🐘 <mysql>',
      hint: 'start the server',
      durationMs: 1503,
    },
  ],
  counts: { fail: 1 },
  startedAt: '2026-12-03T17:52:44.977Z',
  durationMs: 1510,
  ...over,
});

test('JUnit output is valid against the strict Ant JUnit schema (pass, warn, fail, an empty group)', () => {
  if (missing) return void console.log(`skipped: ${missing}`);
  const xml = toJunit(report());
  assert.equal(junitSchemaErrors(xml), [], xml);
  // what the schema demands and older readers ignored: suite identity, host, zone-less second-precision timestamp
  assert.match(xml, /<testsuite name="config" package="opsctl.validate" id="0" timestamp="2026-12-03T17:52:44" /);
  assert.match(xml, /<testsuite name="services" [^>]*id="2" [^>]*tests="0" failures="0"/);
  assert.match(xml, /<property name="opsctl.env" value="production"\/>/);
  // a warning passes, its reason in the suite's system-out; a fail is a <failure> in its testcase
  assert.match(xml, /<testcase name="placeholders" classname="opsctl.validate.config" time="0.001"\/>/);
  assert.match(xml, /<system-out>WARN placeholders: targets.app.url holds &quot;changeme&quot; &lt;here&gt;/);
  assert.match(xml, /<testsuite name="connectivity" [^>]*failures="1"[^]*<failure message="connect ECONNREFUSED/);
});

test('a zero-check run is schema-valid and still reports its failure (in the "validate" suite)', () => {
  if (missing) return void console.log(`skipped: ${missing}`);
  const none = verdict([], ['sync'], 'no checks ran for --only sync');
  const xml = toJunit({ env: 'staging', startedAt: new Date().toISOString(), durationMs: 0, ...none });
  assert.equal(junitSchemaErrors(xml), [], xml);
  assert.match(xml, /<testsuite name="validate" [^>]*tests="1" failures="1"/);
  assert.match(xml, /<failure message="no checks ran for --only sync"/);
});

test('the checker itself rejects what the schema forbids (attributes on <testsuites>, milliseconds)', () => {
  if (missing) return void console.log(`skipped: ${missing}`);
  const xml = toJunit(report());
  const withTotals = xml.replace('<testsuites>', '<testsuites tests="3" failures="1">');
  assert.ok(junitSchemaErrors(withTotals).some((e) => /attribute 'tests'/.test(e)));
  const withMillis = xml.replace(/timestamp="([^"]+)"/, 'timestamp="$1.977"');
  assert.ok(junitSchemaErrors(withMillis).some((e) => /timestamp/.test(e)));
});

test('the timestamp is UTC to the second whatever the input zone', () => {
  assert.is(junitTimestamp('2026-12-03T17:52:44.977Z'), '2026-12-03T17:52:44');
  assert.is(junitTimestamp('2026-12-03T18:52:44.1+01:00'), '2026-12-03T17:52:44');
});

test.run();
