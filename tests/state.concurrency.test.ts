import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openStateStore } from '../src/state/open.js';
import { countRuns, listRuns } from '../src/state/runs.js';
import { createPgDatabase } from './helpers/databases.js';
import { ROOT } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const WRITERS = 6;
const RUNS_EACH = 40;

function writer(url: string, tag: string, mode = ''): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'tests/helpers/state-writer.ts'), url, String(RUNS_EACH), tag, mode],
      { cwd: ROOT },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

async function hammer(url: string) {
  // Several processes migrate an empty store and write runs at the same moment: none may fail, no run may be lost.
  const results = await Promise.all(Array.from({ length: WRITERS }, (_, i) => writer(url, `w${i}`, 'locks')));
  for (const r of results) assert.is(r.code, 0, r.err);
  const store = await openStateStore(url);
  try {
    assert.is(await countRuns(store, { operation: 'concurrency' }), WRITERS * RUNS_EACH);
    assert.is(await countRuns(store, { operation: 'concurrency', status: 'succeeded' }), WRITERS * RUNS_EACH);
    const runs = await listRuns(store, { operation: 'concurrency', limit: 10_000 });
    assert.is(new Set(runs.map((r) => r.id)).size, WRITERS * RUNS_EACH);
    for (let i = 0; i < WRITERS; i++) assert.is(runs.filter((r) => r.pipeline === `w${i}`).length, RUNS_EACH);
  } finally {
    await store.close();
  }
}

const t = suite('state store under concurrent OS processes');

t(`${WRITERS} processes writing to one SQLite file lose nothing`, async () => {
  await hammer(`sqlite:${join(tempDir(), 'state.db')}`);
});

t(`${WRITERS} processes writing to PostgreSQL lose nothing`, async () => {
  const db = await createPgDatabase('opsctl_conc');
  try {
    await hammer(db.url);
  } finally {
    await db.drop();
  }
});

t.run();
