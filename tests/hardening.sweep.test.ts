import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sweepSyncDirs } from '../src/pipelines/sync/bulk.js';
import { currentProcess } from '../src/util/process.js';
import { tempDir } from './helpers/tmp.js';

test('FIFO directories left by a killed bulk sync are swept at the next run; a live owner keeps its own', () => {
  const root = tempDir('opsctl-hard-sweep-');
  // A process that has exited: its pid is free (or reused by a process with another start time).
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const deadPid = Number(gone.stdout);
  const dir = (name: string, owner?: object) => {
    const path = join(root, name);
    mkdirSync(path);
    if (owner) writeFileSync(join(path, 'owner.json'), JSON.stringify(owner));
    return path;
  };
  const dead = dir(`opsctl-sync-${deadPid}-aaaaaa`, { host: hostname(), pid: deadPid, start: '1' });
  spawnSync('mkfifo', ['-m', '600', join(dead, 'rows.csv')]);
  const live = dir(`opsctl-sync-${process.pid}-bbbbbb`, currentProcess());
  const elsewhere = dir('opsctl-sync-1-cccccc', { host: 'another-host', pid: 1, start: '1' });
  const legacyOld = dir('opsctl-sync-dddddd');
  const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
  utimesSync(legacyOld, twoDaysAgo, twoDaysAgo);
  const legacyNew = dir('opsctl-sync-eeeeee');
  const unrelated = dir('something-else');

  const swept = sweepSyncDirs(undefined, root);
  assert.equal(swept.sort(), [dead, legacyOld].sort());
  assert.not.ok(existsSync(dead));
  for (const kept of [live, elsewhere, legacyNew, unrelated]) assert.ok(existsSync(kept), kept);
});

test.run();
