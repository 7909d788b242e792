import { hostname } from 'node:os';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { etlHistory } from '../commands/etl/history.js';
import { etlRun } from '../commands/etl/run.js';
import { invoke } from '../commands/operation.js';
import { formatRunResult } from '../src/bot/commands/run.js';
import { formatRuns } from '../src/bot/commands/runs.js';
import { etlWorkspace, fakeExtractor, useFakeSpotify } from './helpers/etl.js';

// The bot's /run and /runs formatters fed by the real operations (not hand-made shapes).
test('/run and /runs format what etl.run and etl.history really return: success, lock, failure', async () => {
  const fake = fakeExtractor();
  useFakeSpotify(fake);
  const ws = etlWorkspace();
  try {
    const ok = await invoke(etlRun, ws.runtime, { pipelines: ['spotify'] });
    const text = formatRunResult('spotify', ok);
    assert.match(
      text,
      /^✅ <b>Pipeline spotify<\/b> finished\n✅ #1 · spotify · (?:just now|\d+s ago) · \S+ · 13 rows · 1 rejected\n/,
    );
    assert.match(text, /• track_audio_features unavailable: Spotify answered 403/);

    const store = await ws.runtime.state();
    await store.run(
      'INSERT INTO locks (name, host, pid, process_start, operation, run_id, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [
        'pipeline:spotify',
        hostname(),
        process.ppid,
        null,
        'etl.run',
        null,
        '2026-12-01T00:00:00.000Z',
        '2026-12-01T00:00:00.000Z',
      ],
    );
    const locked = formatRunResult('spotify', await invoke(etlRun, ws.runtime, { pipelines: ['spotify'] }));
    assert.match(
      locked,
      new RegExp(
        `^❌ <b>Pipeline spotify</b> is already running\n<i>pipeline spotify is locked by pid ${process.ppid} on `,
      ),
    );
    await store.run('DELETE FROM locks');

    fake.next = () => {
      throw new Error('Spotify answered 401 <Unauthorized>');
    };
    const failed = formatRunResult('spotify', await invoke(etlRun, ws.runtime, { pipelines: ['spotify'] }));
    assert.match(
      failed,
      /^❌ <b>Pipeline spotify<\/b> failed\n❌ #2 · spotify · (?:just now|\d+s ago) · \S+\n {4}<i>Spotify answered 401 &lt;Unauthorized&gt;<\/i>$/,
    );

    const runs = formatRuns(await invoke(etlHistory, ws.runtime, { limit: 10 }));
    assert.match(
      runs,
      /^<b>Latest runs<\/b>\n❌ #2 · spotify .*\n {4}<i>Spotify answered 401 &lt;Unauthorized&gt;<\/i>\n✅ #1 · spotify · (?:just now|\d+s ago) · \S+ · 13 rows · 1 rejected$/,
    );
  } finally {
    await ws.runtime.close();
  }
});

test.run();
