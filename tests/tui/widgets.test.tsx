import { useState } from 'react';
import { Box, Text } from 'ink';
import { render } from 'ink-testing-library';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KeymapProvider, useKeymap, useKeymapApi } from '../../views/hooks/keymap.js';
import { useFilter } from '../../views/hooks/useFilter.js';
import { useTableNavigation } from '../../views/hooks/useTableNavigation.js';
import { Confirm } from '../../views/widgets/Confirm.js';
import { FilterPrompt } from '../../views/widgets/FilterPrompt.js';
import { KeyBar } from '../../views/widgets/KeyBar.js';
import { ProgressBar } from '../../views/widgets/ProgressBar.js';
import { sparkline } from '../../views/widgets/Sparkline.js';
import { Table } from '../../views/widgets/Table.js';
import { tick, waitFor } from '../helpers/console.js';

const DOWN = '\u001B[B';
const RIGHT = '\u001B[C';
const ENTER = '\r';
const ESC = '\u001B';

function Footer() {
  const api = useKeymapApi();
  return <KeyBar bindings={api.active()} width={120} />;
}

function BigList({ count }: { count: number }) {
  const rows = Array.from({ length: count }, (_, i) => ({ id: i, name: `run-${i}` }));
  const filter = useFilter();
  const shown = rows.filter((r) => filter.matches(r.name));
  const nav = useTableNavigation(shown.length, 9);
  useKeymap('pane', [...nav.bindings, ...filter.bindings]);
  return (
    <Box flexDirection="column">
      <FilterPrompt text={filter.text} editing={filter.editing} />
      <Table
        rows={shown}
        columns={[
          { header: 'ID', width: 6, value: (r) => String(r.id) },
          { header: 'NAME', value: (r) => r.name },
        ]}
        selected={nav.selected}
        height={10}
        width={40}
      />
      <Text>selected={shown[nav.selected]?.name ?? 'none'}</Text>
      <Footer />
    </Box>
  );
}

test('Table renders only its window of 10 000 rows and keeps the selection in view', async () => {
  const app = render(
    <KeymapProvider>
      <BigList count={10_000} />
    </KeymapProvider>,
  );
  let frame = await waitFor(app.lastFrame, (f) => f.includes('selected=run-0'));
  assert.match(frame, /1-9\/10000/);
  assert.is(frame.split('\n').filter((l) => /run-\d+/.test(l)).length, 10, '9 rows + the selected= line');
  for (let i = 0; i < 12; i++) app.stdin.write(DOWN);
  frame = await waitFor(app.lastFrame, (f) => f.includes('selected=run-12'));
  assert.match(frame, /5-13\/10000/);
  app.stdin.write('G');
  frame = await waitFor(app.lastFrame, (f) => f.includes('selected=run-9999'));
  assert.match(frame, /9992-10000\/10000/);
  app.unmount();
});

test('/ filters the list; Esc clears the filter', async () => {
  const app = render(
    <KeymapProvider>
      <BigList count={300} />
    </KeymapProvider>,
  );
  await waitFor(app.lastFrame, (f) => f.includes('/ filter'));
  app.stdin.write('/');
  await tick();
  for (const ch of '29') {
    app.stdin.write(ch);
    await tick(10);
  }
  let frame = await waitFor(app.lastFrame, (f) => f.includes('/29'));
  assert.match(frame, /⏎ apply filter/);
  app.stdin.write(ENTER);
  frame = await waitFor(app.lastFrame, (f) => f.includes('esc clear filter'));
  assert.match(frame, /selected=run-29\b/);
  assert.not.match(frame, /run-30\b/);
  app.stdin.write(ESC);
  await waitFor(app.lastFrame, (f) => f.includes('1-9/300'));
  app.unmount();
});

function ConfirmHarness({ typed, onAnswer }: { typed?: string; onAnswer: (yes: boolean) => void }) {
  const [open, setOpen] = useState(true);
  return open ? (
    <Box flexDirection="column">
      <Confirm
        action="Reset the watermark of dashboard_data"
        typed={typed}
        onAnswer={(y) => (setOpen(false), onAnswer(y))}
      />
      <Footer />
    </Box>
  ) : (
    <Text>closed</Text>
  );
}

test('Confirm: Cancel has the focus, so Enter cancels', async () => {
  const answers: boolean[] = [];
  const app = render(
    <KeymapProvider>
      <ConfirmHarness onAnswer={(y) => answers.push(y)} />
    </KeymapProvider>,
  );
  const frame = await waitFor(app.lastFrame, (f) => f.includes('Reset the watermark') && f.includes('esc cancel'));
  assert.match(frame, /⏎ cancel/);
  app.stdin.write(ENTER);
  await waitFor(app.lastFrame, (f) => f.includes('closed'));
  assert.equal(answers, [false]);
  app.unmount();
});

test('Confirm: moving to Confirm and pressing Enter confirms; Esc cancels', async () => {
  const answers: boolean[] = [];
  const app = render(
    <KeymapProvider>
      <ConfirmHarness onAnswer={(y) => answers.push(y)} />
    </KeymapProvider>,
  );
  await waitFor(app.lastFrame, (f) => f.includes('Reset the watermark'));
  app.stdin.write(RIGHT);
  await waitFor(app.lastFrame, (f) => f.includes('⏎ confirm'));
  app.stdin.write(ENTER);
  await waitFor(app.lastFrame, (f) => f.includes('closed'));
  assert.equal(answers, [true]);
  app.unmount();
});

test('Confirm with a typed word: Confirm does nothing until the exact word is typed', async () => {
  const answers: boolean[] = [];
  const app = render(
    <KeymapProvider>
      <ConfirmHarness typed="prod-db" onAnswer={(y) => answers.push(y)} />
    </KeymapProvider>,
  );
  await waitFor(app.lastFrame, (f) => f.includes('Type prod-db'));
  app.stdin.write(RIGHT);
  await tick();
  app.stdin.write(ENTER);
  await tick(50);
  assert.equal(answers, [], 'not typed yet: nothing happens');
  for (const ch of 'prod-db') {
    app.stdin.write(ch);
    await tick(10);
  }
  await waitFor(app.lastFrame, (f) => f.includes('> prod-db'));
  app.stdin.write(ENTER);
  await waitFor(app.lastFrame, (f) => f.includes('closed'));
  assert.equal(answers, [true]);
  app.unmount();
});

test('ProgressBar shows the fraction; without a total a counter', () => {
  const a = render(<ProgressBar done={25} total={100} width={40} label="load" />);
  assert.match(a.lastFrame()!, /load █+░+ 25\/100 25%/);
  const b = render(<ProgressBar done={7} width={40} label="rows" />);
  assert.match(b.lastFrame()!, /rows 7/);
});

test('sparkline scales to the largest value', () => {
  assert.is(sparkline([0, 1, 2, 4, 8], 5), '▁▁▂▄█');
  assert.is(sparkline([0, 0], 5), '▁▁');
  assert.is(sparkline([1, 2, 3, 4, 5, 6], 3), '▅▆█');
});

test.run();
