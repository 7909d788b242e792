// PGlite kept open by a long-lived process (the console's engine worker): booted once, lent to one user at a time
// with a fresh session, its lock file held meanwhile and released on close.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closeKeptPglite, isPgliteKeptOpen, keepPgliteOpen, type PgliteTarget } from '../src/db/pglite.js';
import { openTarget } from '../src/db/target.js';
import { BusyError } from '../src/errors.js';
import { tempDir } from './helpers/tmp.js';

const path = join(tempDir('opsctl-pglite-keep-'), 'local');
const config = { engine: 'pglite' as const, path, production: false };
const open = (waitMs?: number) =>
  openTarget('local', config, waitMs === undefined ? {} : { waitMs }) as Promise<PgliteTarget>;

test.before(() => keepPgliteOpen({ idleMs: 60_000, purpose: 'the pglite.keep test' }));
test.after(async () => {
  keepPgliteOpen(undefined);
  await closeKeptPglite();
});

test('booted once and lent again: the same instance, a fresh session, the lock held in between', async () => {
  const first = await open();
  await first.exec('CREATE SCHEMA kept; SET search_path TO kept; CREATE TEMP TABLE scratch (x int)');
  await first.close();
  assert.ok(isPgliteKeptOpen(path));
  assert.match(readFileSync(`${path}.lock`, 'utf8'), /the pglite\.keep test/);

  const second = await open();
  assert.is(second.native, first.native, 'the same PGlite instance, not a second boot');
  const [row] = await second.query<{ path: string }>('SHOW search_path');
  assert.not.match(row!.path, /kept/, 'the session settings of the last user were reset');
  const temp = await second.query("SELECT 1 FROM pg_class WHERE relname = 'scratch' AND relpersistence = 't'");
  assert.is(temp.length, 0, "the last user's temporary table is gone");

  // One user at a time: a second one waits, and gives up after its waitMs with a BusyError naming why.
  const busy = await open(50).catch((e: unknown) => e);
  assert.instance(busy, BusyError);
  assert.match((busy as BusyError).message, /another job of this process/);
  const waiting = open(10_000);
  await second.close();
  const third = await waiting;
  assert.is(third.native, first.native);
  await third.close();
});

test('closeKeptPglite closes the instance and releases the lock file', async () => {
  const t = await open();
  await t.close();
  await closeKeptPglite();
  assert.not.ok(isPgliteKeptOpen(path));
  assert.not.ok(existsSync(`${path}.lock`));
  assert.ok(t.native.closed);
});

test.run();
