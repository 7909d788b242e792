import { Text } from 'ink';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { useKeymap } from '../../views/hooks/keymap.js';
import { useOperation } from '../../views/hooks/useOperation.js';
import type { PaneDefinition } from '../../views/panes/types.js';
import { fakeServices, renderConsole, tick, waitFor, type Handler } from '../helpers/console.js';

/** A pane that starts etl.run with `s` and prints its job's state; and an empty pane to switch to. */
function StarterPane() {
  const op = useOperation('etl.run');
  useKeymap('pane', [{ keys: ['s'], label: 'start', run: () => void op.run({ pipelines: ['spotify'] }) }]);
  const s = op.state;
  return (
    <Text>{`starter: ${s.status}${s.progress ? ` ${s.progress.phase}` : ''}${s.result ? ` ok=${String(s.result.ok)}` : ''}`}</Text>
  );
}
const PANES: PaneDefinition[] = [
  { id: 'starter', title: 'Starter', component: StarterPane },
  { id: 'other', title: 'Other', component: () => <Text>other pane</Text> },
];

/** etl.run held until the test releases it; an abort of its signal rejects it, as the real operations do. */
function gatedRun() {
  const state = { aborted: 0, release: () => {} };
  const handler: Handler = (_input, options) =>
    new Promise((resolve, reject) => {
      options.onProgress?.({ phase: 'extract' });
      state.release = () => resolve({ ok: true, dryRun: false, executions: [], failures: [] });
      options.signal?.addEventListener('abort', () => {
        state.aborted++;
        reject(new Error('cancelled'));
      });
    });
  return { state, handler };
}

test('a job outlives its pane: switching panes keeps it running, its result waits in the header and shows on return', async () => {
  const run = gatedRun();
  const app = renderConsole(fakeServices({ 'etl.run': run.handler }), { panes: PANES });
  await waitFor(app.lastFrame, (f) => f.includes('starter: idle'));
  app.stdin.write('s');
  let frame = await waitFor(app.lastFrame, (f) => f.includes('starter: running extract'));
  assert.match(frame, /1 job\b/);
  app.stdin.write('2');
  frame = await waitFor(app.lastFrame, (f) => f.includes('other pane'));
  assert.match(frame, /1 job\b/, 'the header shows the job on every pane');
  run.state.release();
  frame = await waitFor(app.lastFrame, (f) => f.includes('1 result'));
  assert.not.match(frame, /1 job\b/);
  app.stdin.write('1');
  frame = await waitFor(app.lastFrame, (f) => f.includes('starter: done ok=true'));
  frame = await waitFor(app.lastFrame, (f) => !f.includes('1 result'), 1000);
  assert.is(run.state.aborted, 0);
  app.unmount();
});

test('J lists the jobs with operation, target and phase; x cancels the selected one through its signal', async () => {
  const run = gatedRun();
  const app = renderConsole(fakeServices({ 'etl.run': run.handler }), { panes: PANES });
  await waitFor(app.lastFrame, (f) => f.includes('starter: idle'));
  app.stdin.write('s');
  await waitFor(app.lastFrame, (f) => f.includes('starter: running'));
  app.stdin.write('J');
  let frame = await waitFor(app.lastFrame, (f) => f.includes('Jobs · 1 running') && f.includes('x cancel job'));
  assert.match(frame, /etl\.run\s+spotify\s+running\s+\S+\s+extract/);
  app.stdin.write('x');
  frame = await waitFor(app.lastFrame, (f) => f.includes('Jobs · 0 running'));
  assert.match(frame, /etl\.run\s+spotify\s+cancelled/);
  assert.is(run.state.aborted, 1);
  app.stdin.write('\x1b');
  await waitFor(app.lastFrame, (f) => f.includes('starter: cancelled'));
  app.unmount();
});

test('quit with a job running asks first; "cancel them and quit" (focused) aborts the job', async () => {
  const run = gatedRun();
  const app = renderConsole(fakeServices({ 'etl.run': run.handler }), { panes: PANES });
  await waitFor(app.lastFrame, (f) => f.includes('starter: idle'));
  app.stdin.write('s');
  await waitFor(app.lastFrame, (f) => f.includes('starter: running'));
  app.stdin.write('q');
  const frame = await waitFor(app.lastFrame, (f) => f.includes('1 job running'));
  assert.match(frame, /Cancel them and quit/);
  assert.is(run.state.aborted, 0, 'asking cancels nothing');
  await tick(100);
  app.stdin.write('\r');
  await waitFor(
    () => String(run.state.aborted),
    (n) => n === '1',
  );
  app.unmount();
});

test('back keeps the job running; a second ctrl+c forces the quit and aborts it', async () => {
  const run = gatedRun();
  const app = renderConsole(fakeServices({ 'etl.run': run.handler }), { panes: PANES });
  await waitFor(app.lastFrame, (f) => f.includes('starter: idle'));
  app.stdin.write('s');
  await waitFor(app.lastFrame, (f) => f.includes('starter: running'));
  app.stdin.write('\x03');
  await waitFor(app.lastFrame, (f) => f.includes('1 job running'));
  await tick(100);
  app.stdin.write('\x1b'); // esc: back
  await waitFor(app.lastFrame, (f) => f.includes('starter: running') && !f.includes('1 job running'));
  assert.is(run.state.aborted, 0);
  await tick(300); // a lone esc is told from an escape sequence by a pause: do not glue the next key to it
  app.stdin.write('\x03');
  await waitFor(app.lastFrame, (f) => f.includes('1 job running'));
  app.stdin.write('\x03');
  await waitFor(
    () => String(run.state.aborted),
    (n) => n === '1',
  );
  app.unmount();
});

test.run();
