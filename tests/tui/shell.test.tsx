import { Text } from 'ink';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { StatusResult } from '../../commands/status.js';
import { useKeymap } from '../../views/hooks/keymap.js';
import type { PaneProps } from '../../views/panes/types.js';
import { fakeServices, renderConsole, tick, waitFor } from '../helpers/console.js';

const status = (over: Partial<StatusResult> = {}): StatusResult => ({
  opsctlVersion: '0.1.0',
  environment: 'development',
  configFile: null,
  home: '/tmp/h',
  components: [
    {
      id: 'state',
      name: 'state',
      label: 'state store',
      group: 'core',
      kind: 'sqlite',
      location: '/tmp/h/state.db',
      status: 'up',
      version: 'SQLite 3.53.2',
      latencyMs: 2,
    },
    {
      id: 'warehouse',
      name: 'warehouse',
      label: 'warehouse',
      group: 'core',
      kind: 'duckdb',
      location: '/tmp/h/warehouse.duckdb',
      status: 'absent',
      hint: 'Created by the first pipeline run',
    },
    {
      id: 'target:local',
      name: 'local',
      label: 'target local',
      group: 'target',
      kind: 'pglite',
      location: '/tmp/h/pglite/local',
      status: 'up',
      version: 'PGlite (PostgreSQL 18.6)',
      latencyMs: 400,
    },
    {
      id: 'target:reco',
      name: 'reco',
      label: 'target reco',
      group: 'target',
      kind: 'mysql',
      location: 'mysql://root@db:3306/reco',
      status: 'down',
      error: 'target "reco" is unreachable: connection refused',
      hint: 'Check that the server is running',
    },
  ],
  checkedAt: new Date().toISOString(),
  ...over,
});

test('the Overview shows every component with its status, and the footer shows the keys that work', async () => {
  const services = fakeServices({ status: () => status() });
  const app = renderConsole(services);
  const frame = await waitFor(app.lastFrame, (f) => f.includes('target reco'));
  assert.match(frame, /1 Overview/);
  assert.match(frame, /state store\s+sqlite\s+up\s+SQLite 3\.53\.2/);
  assert.match(frame, /warehouse\s+duckdb\s+absent/);
  assert.match(frame, /target reco\s+mysql\s+down/);
  assert.match(frame, /r refresh/);
  assert.match(frame, /\? help/);
  assert.match(frame, /q quit/);
  app.unmount();
});

test("moving the selection shows the selected component's error and hint; r refreshes", async () => {
  const services = fakeServices({ status: () => status() });
  const app = renderConsole(services);
  await waitFor(app.lastFrame, (f) => f.includes('target reco'));
  for (let i = 0; i < 3; i++) {
    app.stdin.write('j');
    await tick();
  }
  const frame = await waitFor(app.lastFrame, (f) => f.includes('connection refused'));
  assert.match(frame, /hint: Check that the server is running/);
  const before = services.calls.length;
  app.stdin.write('r');
  await waitFor(app.lastFrame, () => services.calls.length > before);
  app.unmount();
});

test("? opens the help with the pane's and the global keys; esc closes it", async () => {
  const app = renderConsole(fakeServices({ status: () => status() }));
  await waitFor(app.lastFrame, (f) => f.includes('target reco'));
  app.stdin.write('?');
  const help = await waitFor(
    app.lastFrame,
    (f) => f.includes('Keys') && /close help/.test(f) && f.includes('Everywhere'),
  );
  assert.match(help, /This pane/);
  assert.match(help, /check every component again now/);
  assert.match(help, /Everywhere/);
  assert.match(help, /esc\/\?\/q close help/);
  app.stdin.write('\u001B');
  await waitFor(app.lastFrame, (f) => !f.includes('close help') && f.includes('target reco'));
  app.unmount();
});

test('a failing Overview load shows the error instead of crashing', async () => {
  const app = renderConsole(fakeServices({ status: () => Promise.reject(new Error('state store unreachable')) }));
  await waitFor(app.lastFrame, (f) => f.includes('state store unreachable'));
  app.unmount();
});

function PaneA(_: PaneProps) {
  useKeymap('pane', [{ keys: ['x'], label: 'do x', run: () => undefined }]);
  return <Text>pane A body</Text>;
}
function PaneB(_: PaneProps) {
  useKeymap('pane', [{ keys: ['y'], label: 'do y', run: () => undefined }]);
  return <Text>pane B body</Text>;
}

test('tab and number keys switch panes, and the footer follows the active pane', async () => {
  const panes = [
    { id: 'a', title: 'Alpha', component: PaneA },
    { id: 'b', title: 'Beta', component: PaneB },
  ];
  const app = renderConsole(fakeServices({}), { panes });
  let frame = await waitFor(app.lastFrame, (f) => f.includes('pane A body') && f.includes('do x'));
  assert.match(frame, /x do x/);
  assert.not.match(frame, /y do y/);
  app.stdin.write('\t');
  frame = await waitFor(app.lastFrame, (f) => f.includes('pane B body') && f.includes('do y'));
  assert.match(frame, /y do y/);
  assert.not.match(frame, /x do x/);
  app.stdin.write('1');
  await waitFor(app.lastFrame, (f) => f.includes('pane A body'));
  app.unmount();
});

test('q quits the console: after it, keys change nothing', async () => {
  const app = renderConsole(fakeServices({ status: () => status() }));
  await waitFor(app.lastFrame, (f) => f.includes('target reco'));
  app.stdin.write('q');
  await tick(100);
  const frame = app.lastFrame();
  app.stdin.write('?'); // would open the help if the console were still running
  await tick(100);
  assert.is(app.lastFrame(), frame);
  assert.not.match(app.lastFrame() ?? '', /close help/);
});

test.run();
