import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { computeStatus, noFileAtAll, problemsOf } from '../src/migrations/status.js';
import type { HistoryRow, MigrationFile } from '../src/migrations/types.js';

const base = { target: 'app', engine: 'postgres', location: 'db', production: false, dir: '/srv/wrong/migrations' };

function row(version: string, name: string): HistoryRow {
  return {
    version,
    name,
    checksum: `sum${version}`,
    status: 'applied',
    operation: 'up',
    appliedAt: '2026-12-01T00:00:00Z',
    durationMs: 5,
    appliedBy: 'test',
    statementsDone: 1,
    statementsTotal: 1,
    error: null,
  };
}

const history = { exists: true, rows: [row('1', 'one'), row('2', 'two'), row('3', 'three')] };

test('no migration file at all: one problem saying the directory looks wrong, not N missing files', () => {
  const s = computeStatus(base as Parameters<typeof computeStatus>[0], [], history);
  assert.ok(noFileAtAll(s));
  const problems = problemsOf(s);
  assert.is(problems.length, 1);
  assert.match(
    problems[0]!,
    /3 applied migrations but no migration file at all in \/srv\/wrong\/migrations: the directory looks wrong/,
  );
});

test('some files present: each missing one is named (a real missing file)', () => {
  const file = { version: '1', name: 'one', path: '/srv/m/1_one.sql', checksum: 'sum1' } as MigrationFile;
  const s = computeStatus(base as Parameters<typeof computeStatus>[0], [file], history);
  assert.not.ok(noFileAtAll(s));
  assert.equal(problemsOf(s), [
    '2_two is applied but its file is missing from /srv/wrong/migrations',
    '3_three is applied but its file is missing from /srv/wrong/migrations',
  ]);
});

test.run();
