import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { EtlHistoryResult } from '../../commands/etl/history.js';
import type { EtlRunResult } from '../../commands/etl/run.js';
import type { EtlShowResult } from '../../commands/etl/show.js';
import type { RunListItem } from '../../commands/etl/summary.js';
import type { Progress } from '../../commands/operation.js';
import { loadConfig } from '../../src/config/load.js';
import { Redactor } from '../../src/log/redact.js';
import { fakeServices, renderConsole, tick, waitFor } from '../helpers/console.js';
import { tempDir } from '../helpers/tmp.js';

const TOTAL = 5000;
const t0 = Date.parse('2026-12-01T00:00:00Z');

function run(id: number, over: Partial<RunListItem> = {}): RunListItem {
  const failed = id % 10 === 0;
  return {
    id,
    pipeline: id % 2 ? 'spotify' : 'dashboards',
    kind: id % 2 ? 'spotify' : 'sync',
    operation: 'etl.run',
    status: failed ? 'failed' : 'succeeded',
    trigger: 'cron',
    host: 'box',
    pid: 100 + id,
    startedAt: new Date(t0 + id * 60_000).toISOString(),
    finishedAt: null,
    durationMs: 1500 + id,
    dryRun: false,
    rowsExtracted: id * 10,
    rowsLoaded: id * 10,
    rowsRejected: id % 7 === 0 ? 2 : 0,
    unavailable: [],
    error: failed ? `boom ${id}` : null,
    orphanReason: null,
    progress: null,
    ...over,
  };
}

/** A store of TOTAL runs answering etl.history like the real one: newest first, keyset pages. */
function history(input: Record<string, unknown>, extra: RunListItem[] = []): EtlHistoryResult {
  const limit = Number(input.limit ?? 20);
  const before = input.beforeId ? Number(input.beforeId) : Infinity;
  const matching = [...extra, ...Array.from({ length: TOTAL }, (_, i) => run(TOTAL - i))].filter(
    (r) => !input.status || r.status === input.status,
  );
  const all = matching.filter((r) => r.id < before);
  const page = all.slice(0, limit);
  return { runs: page, total: matching.length, nextBeforeId: all.length > limit ? page.at(-1)!.id : null };
}

const detail: EtlShowResult = {
  run: run(5000, {
    status: 'failed',
    error: 'spotify: loading recently_played failed: bad timestamp',
    rowsRejected: 1,
  }),
  tables: [
    {
      table: 'users',
      status: 'ok',
      extracted: 1,
      loaded: 1,
      rejected: 0,
      reason: null,
      watermarkBefore: null,
      watermarkAfter: null,
      durationMs: 12,
    },
    {
      table: 'track_audio_features',
      status: 'unavailable',
      extracted: 0,
      loaded: 0,
      rejected: 0,
      reason: 'Spotify answered 403',
      watermarkBefore: null,
      watermarkAfter: null,
      durationMs: null,
    },
    {
      table: 'recently_played',
      status: 'failed',
      extracted: 3,
      loaded: 0,
      rejected: 1,
      reason: 'bad timestamp',
      watermarkBefore: '1',
      watermarkAfter: '1',
      durationMs: 40,
    },
  ],
  notes: ['1 record failed validation and went to quarantine (tracks 1)'],
  quarantined: [
    {
      id: 1,
      runId: 5000,
      pipeline: 'spotify',
      table: 'tracks',
      reason: 'name: expected string',
      payload: {},
      createdAt: '',
    },
  ],
  quarantinedByTable: { tracks: 1 },
};

function loaded() {
  return loadConfig({
    cwd: tempDir(),
    env: {},
    redactor: new Redactor(),
    fileConfig: {
      pipelines: { spotify: { kind: 'spotify', source: 'sample' }, dashboards: { kind: 'sync', target: 'app' } },
    },
  });
}

test('the Runs pane lists thousands of runs newest first, a page at a time, and Enter opens one', async () => {
  const services = fakeServices({ 'etl.history': (input) => history(input), 'etl.show': () => detail }, loaded());
  const app = renderConsole(services, { initialPane: 'runs' });
  try {
    const frame = await waitFor(app.lastFrame, (f) => f.includes('5,000 runs'));
    assert.match(frame, /RUN\s+PIPELINE\s+STATUS\s+STARTED\s+DURATION\s+LOADED\s+REJECTED\s+ERROR/);
    assert.match(frame, /5000\s+dashboards\s+failed\s+2026-12-04 11:20\s+6\.5s\s+50,000\s+0\s+boom 5000/);
    assert.match(frame, /4999\s+spotify\s+succeeded/);
    assert.match(frame, /200 loaded \(pages of 200\)/);
    assert.equal(
      services.calls.filter((c) => c.name === 'etl.history').map((c) => c.input),
      [{ limit: 200 }],
    );

    // Jumping to the end of what is loaded fetches the next page from the store, not everything.
    app.stdin.write('G');
    await waitFor(app.lastFrame, (f) => f.includes('400 loaded'));
    const pages = services.calls.filter((c) => c.name === 'etl.history' && c.input.beforeId);
    assert.equal(pages[0]!.input, { limit: 200, beforeId: 4801 });

    app.stdin.write('g');
    await waitFor(app.lastFrame, (f) => /^\s*5000\s+dashboards/m.test(f) && !f.includes(' 4601 '));
    app.stdin.write('\r');
    const open = await waitFor(app.lastFrame, (f) => f.includes('Run 5000'));
    assert.match(open, /Run 5000 · dashboards failed/);
    assert.match(open, /error: spotify: loading recently_played failed: bad timestamp/);
    assert.match(open, /track_audio_features\s+unavailable\s+0\s+0\s+0\s+-\s+Spotify answered 403/);
    assert.match(open, /recently_played\s+failed\s+3\s+0\s+1\s+40ms\s+1 → 1\s+bad timestamp/);
    assert.match(open, /TOOK\s+WATERMARK\s+REASON/);
    assert.match(open, /quarantined: tracks 1 · e\.g\. name: expected string/);
    assert.equal(services.calls.find((c) => c.name === 'etl.show')!.input, { run: 5000 });
    app.stdin.write('\x1b');
    await waitFor(app.lastFrame, (f) => f.includes('5,000 runs'));
  } finally {
    app.unmount();
  }
});

test('a run in progress in another process (cron) shows its published phase', async () => {
  const cron = run(5001, {
    status: 'running',
    durationMs: null,
    rowsLoaded: 0,
    progress: { phase: 'load', done: 3, total: 9, note: 'tracks (120 rows)' },
  });
  const services = fakeServices({ 'etl.history': (input) => history(input, [cron]) }, loaded());
  const app = renderConsole(services, { initialPane: 'runs' });
  try {
    const frame = await waitFor(app.lastFrame, (f) => f.includes('5,001 runs'));
    assert.match(frame, /5001\s+spotify\s+running\s+.*load 3\/9/);
  } finally {
    app.unmount();
  }
});

test('/ filters the loaded runs', async () => {
  const services = fakeServices({ 'etl.history': (input) => history(input) }, loaded());
  const app = renderConsole(services, { initialPane: 'runs' });
  try {
    await waitFor(app.lastFrame, (f) => f.includes('5,000 runs'));
    app.stdin.write('/');
    await waitFor(app.lastFrame, (f) => /^\/$/m.test(f));
    await tick(100);
    let typed = '';
    for (const ch of 'boom 499') {
      typed += ch;
      app.stdin.write(ch);
      await waitFor(app.lastFrame, (f) => f.includes(`/${typed.trimEnd()}`));
    }
    app.stdin.write('\r');
    const frame = await waitFor(app.lastFrame, (f) => f.includes('(/ edit, esc clear)'));
    assert.match(frame, /\/boom 499/);
    assert.match(frame, /1 match/);
    assert.match(frame, /4990\s+dashboards\s+failed/);
    assert.not.match(frame, /4999\s+spotify/);
  } finally {
    app.unmount();
  }
});

test('s starts the chosen pipeline only after confirmation and shows its live progress, then the result', async () => {
  let release!: (r: EtlRunResult) => void;
  let report!: (p: Progress) => void;
  const started: RunListItem[] = [];
  const services = fakeServices(
    {
      'etl.history': (input) => history(input, started),
      'etl.run': (_input, options) =>
        new Promise<EtlRunResult>((resolve) => {
          report = options.onProgress!;
          release = resolve;
        }),
    },
    loaded(),
  );
  const app = renderConsole(services, { initialPane: 'runs' });
  try {
    await waitFor(app.lastFrame, (f) => f.includes('s start spotify'));
    app.stdin.write('p');
    await waitFor(app.lastFrame, (f) => f.includes('s start dashboards'));
    app.stdin.write('p');
    await waitFor(app.lastFrame, (f) => f.includes('s start spotify'));
    await tick(100);
    app.stdin.write('s');
    const asked = await waitFor(app.lastFrame, (f) => f.includes('Run pipeline spotify now?'));
    assert.match(asked, /Cancel/);
    await tick(100); // the dialog's keys register after it renders
    app.stdin.write('\r'); // Cancel has the focus: nothing runs
    const cancelled = await waitFor(app.lastFrame, (f) => !f.includes('Run pipeline spotify now?'));
    assert.match(cancelled, /5,000 runs/);
    assert.is(services.calls.filter((c) => c.name === 'etl.run').length, 0);

    await tick(100);
    app.stdin.write('s');
    await waitFor(app.lastFrame, (f) => f.includes('Run pipeline spotify now?'));
    await tick(100);
    app.stdin.write('\x1b[C'); // → to Run
    await tick(100);
    app.stdin.write('\r');
    await waitFor(
      () => String(services.calls.filter((c) => c.name === 'etl.run').length),
      (c) => c === '1',
    );
    assert.equal(services.calls.find((c) => c.name === 'etl.run')!.input, { pipelines: ['spotify'] });
    report({ phase: 'load', done: 3, total: 9, note: 'tracks (120 rows)' });
    // The footer follows one render later (the keymap refreshes in an effect): wait for both.
    const live = await waitFor(
      app.lastFrame,
      (f) => f.includes('running spotify: load · tracks (120 rows)') && f.includes('x cancel run'),
    );
    assert.match(live, /3\/9 tables 33%/);
    assert.match(live, /x cancel run/);
    assert.not.match(live, /s start/);

    const newRun = run(5001, { pipeline: 'spotify', status: 'succeeded', rowsLoaded: 13, rowsRejected: 1 });
    started.push(newRun);
    release({
      ok: true,
      dryRun: false,
      failures: [],
      orphansClosed: 0,
      executions: [
        {
          pipeline: 'spotify',
          kind: 'spotify',
          status: 'succeeded',
          run: newRun,
          outcome: { tables: [], notes: ['track_audio_features unavailable: 403'] },
        },
      ],
    });
    const done = await waitFor(app.lastFrame, (f) => f.includes('spotify finished') && f.includes('5,001 runs'));
    assert.match(done, /✔ spotify finished: run 5001, 13 rows loaded, 1 rejected/);
    assert.match(done, /track_audio_features unavailable: 403/);
    assert.match(done, /5001\s+spotify\s+succeeded/);
  } finally {
    app.unmount();
  }
});

/** The run the footer names: the selected one, the one Enter opens. */
const selectedRun = (f: string) => /· run (\d+) by/.exec(f)?.[1];

test('the selection follows its run when newer runs arrive above it', async () => {
  const extra: RunListItem[] = [];
  const services = fakeServices({ 'etl.history': (input) => history(input, extra) }, loaded());
  const app = renderConsole(services, { initialPane: 'runs' });
  try {
    await waitFor(app.lastFrame, (f) => f.includes('5,000 runs'));
    await tick(50);
    app.stdin.write('jj');
    await waitFor(app.lastFrame, (f) => selectedRun(f) === '4998');
    extra.push(run(5002), run(5001));
    app.stdin.write('r');
    const frame = await waitFor(app.lastFrame, (f) => f.includes('5,002 runs') && /^\s*5002\s/m.test(f));
    assert.is(selectedRun(frame), '4998', 'still run 4998, not whichever run is now third');
  } finally {
    app.unmount();
  }
});

test('runs that arrive by the hundred never open a gap in the paged list', async () => {
  const extra: RunListItem[] = [];
  const services = fakeServices({ 'etl.history': (input) => history(input, extra) }, loaded());
  const app = renderConsole(services, { initialPane: 'runs' });
  try {
    await waitFor(app.lastFrame, (f) => f.includes('5,000 runs') && f.includes('200 loaded'));
    for (let id = 5500; id > 5000; id--) extra.push(run(id));
    app.stdin.write('r');
    // The refresh reads on, page by page, until it meets run 5000: 5500 … 4801 with nothing missing.
    await waitFor(app.lastFrame, (f) => f.includes('5,500 runs') && f.includes('700 loaded'));
    app.stdin.write('j'.repeat(200));
    const frame = await waitFor(app.lastFrame, (f) => selectedRun(f) !== '5500' && selectedRun(f) !== undefined);
    assert.is(selectedRun(frame), '5300', '200 rows below 5500 is 5300, not 5000');
  } finally {
    app.unmount();
  }
});

test('f filters by status in the store, and /failed asks the store too instead of searching the loaded page', async () => {
  const services = fakeServices({ 'etl.history': (input) => history(input) }, loaded());
  const app = renderConsole(services, { initialPane: 'runs' });
  try {
    let frame = await waitFor(app.lastFrame, (f) => f.includes('5,000 runs') && f.includes('f status all'));
    await tick(50);
    app.stdin.write('f');
    frame = await waitFor(app.lastFrame, (f) => f.includes('500 failed runs'));
    assert.match(frame, /f status failed/);
    assert.match(frame, /^\s*5000\s+dashboards\s+failed/m);
    assert.not.match(frame, /4999\s+spotify/);
    assert.ok(services.calls.some((c) => c.name === 'etl.history' && c.input.status === 'failed'));
    app.stdin.write('f');
    frame = await waitFor(app.lastFrame, (f) => /^0 running runs/m.test(f));
    assert.match(frame, /no running run matches the filter/);
    app.stdin.write('f');
    await waitFor(app.lastFrame, (f) => f.includes('5,000 runs'));

    const before = services.calls.length;
    app.stdin.write('/');
    await waitFor(app.lastFrame, (f) => /^\/$/m.test(f));
    await tick(50);
    app.stdin.write('failed');
    await waitFor(app.lastFrame, (f) => f.includes('/failed'));
    app.stdin.write('\r');
    // All 500 failed runs, from the store (the loaded page holds only 20 of them).
    frame = await waitFor(app.lastFrame, (f) => /^500 failed runs/m.test(f));
    assert.ok(services.calls.slice(before).some((c) => c.name === 'etl.history' && c.input.status === 'failed'));
  } finally {
    app.unmount();
  }
});

test('s on a sync pipeline into a production target asks for the target name before it runs', async () => {
  const prod = loadConfig({
    cwd: tempDir(),
    env: {},
    redactor: new Redactor(),
    fileConfig: {
      targets: { app: { engine: 'postgres', url: 'postgres://db/app', production: true } },
      pipelines: { dashboards: { kind: 'sync', target: 'app' } },
    },
  });
  const services = fakeServices(
    {
      'etl.history': (input) => history(input),
      'etl.run': () => {
        throw new Error('run stopped here');
      },
    },
    prod,
  );
  const app = renderConsole(services, { initialPane: 'runs' });
  try {
    await waitFor(app.lastFrame, (f) => f.includes('s start dashboards'));
    await tick(100);
    app.stdin.write('s');
    const asked = await waitFor(app.lastFrame, (f) => f.includes('Type app to enable Run') && f.includes('esc cancel'));
    assert.match(asked.replace(/[│╭╮╰╯─]/g, ' ').replace(/\s+/g, ' '), /into target "app" \(PRODUCTION\)/);
    app.stdin.write('\u001B[C');
    await waitFor(app.lastFrame, (f) => f.includes('⏎ run'));
    app.stdin.write('\r');
    await tick(100);
    assert.is(services.calls.filter((c) => c.name === 'etl.run').length, 0, 'not before the name is typed');
    app.stdin.write('app');
    await waitFor(app.lastFrame, (f) => f.includes('> app'));
    app.stdin.write('\r');
    await waitFor(
      () => String(services.calls.filter((c) => c.name === 'etl.run').length),
      (n) => n === '1',
    );
    assert.equal(services.calls.find((c) => c.name === 'etl.run')!.input, { pipelines: ['dashboards'] });
  } finally {
    app.unmount();
  }
});

test.run();
