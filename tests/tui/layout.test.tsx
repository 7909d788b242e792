import { Box, type Key } from 'ink';
import { render } from 'ink-testing-library';
import stringWidth from 'string-width';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KeymapProvider, useKeymap } from '../../views/hooks/keymap.js';
import { splitChunk } from '../../views/keys.js';
import { PANES } from '../../views/panes/index.js';
import { detailLines, wrapText } from '../../views/widgets/DetailView.js';
import { HelpOverlay } from '../../views/widgets/HelpOverlay.js';
import { ProgressBar } from '../../views/widgets/ProgressBar.js';
import { columnWidths, Table, type TableColumn } from '../../views/widgets/Table.js';
import { layoutTabBar, shortTitle, TabBar } from '../../views/widgets/TabBar.js';
import { tick, waitFor } from '../helpers/console.js';

const ESC = '\u001B';

test('the tab bar names every pane on one line at 60, 80, 100 and 200 columns, badge included', () => {
  for (const environment of ['development', 'production']) {
    for (const width of [60, 80, 100, 200]) {
      for (const active of PANES) {
        const bar = layoutTabBar(PANES, active.id, width, environment);
        assert.ok(bar.width <= width, `${width} cols, ${active.id}: drawn ${bar.width} cells`);
        assert.is(bar.tabs.length, PANES.length);
        bar.tabs.forEach((tab, i) => {
          // Every tab keeps its number and at least its short name.
          assert.ok(tab.text.trim().startsWith(`${i + 1} `), `${width}: tab ${i + 1} is "${tab.text}"`);
          const named = tab.text.includes(shortTitle(PANES[i]!)) || tab.text.includes(PANES[i]!.title);
          assert.ok(named, `${width}: tab ${i + 1} is "${tab.text}"`);
        });
        assert.match(bar.badge, environment === 'production' ? /prod/ : /dev/);
      }
    }
  }
  // With room, full names and the full badge.
  const wide = layoutTabBar(PANES, 'overview', 200, 'development');
  assert.ok(wide.tabs.every((t, i) => t.text.includes(PANES[i]!.title)));
  assert.is(wide.badge.trim(), 'development');
  // At 80 columns the active pane keeps its whole name.
  assert.ok(layoutTabBar(PANES, 'loadtests', 80, 'development').tabs[5]!.text.includes('Load tests'));
});

test('the tab bar renders as exactly one line at 60 columns', () => {
  const app = render(<TabBar tabs={PANES} active="watermarks" width={60} environment="production" />);
  const frame = app.lastFrame() ?? '';
  assert.is(frame.split('\n').length, 1, frame);
  assert.ok(stringWidth(frame) <= 60, frame);
  for (let i = 1; i <= PANES.length; i++) assert.match(frame, new RegExp(`\\b${i} `));
  assert.match(frame, /7 (Wmark|Watermarks)/);
  assert.match(frame, /prod/);
  app.unmount();
});

interface Row {
  name: string;
  error: string;
}
const COLUMNS: TableColumn<Row>[] = [
  { header: 'NAME', width: 6, value: (r) => r.name },
  { header: 'ERROR', value: (r) => r.error },
];

test('columns keep their width on a narrow terminal and grow to their longest value on a wide one', () => {
  const rows: Row[] = [{ name: 'warehouse', error: 'connect ECONNREFUSED 127.0.0.1:5432 (is the server running?)' }];
  assert.equal(columnWidths(COLUMNS, rows, 30), [6, 23]);
  const wide = columnWidths(COLUMNS, rows, 200);
  assert.is(wide[0], 'warehouse'.length, 'the cut fixed column grew to its value');
  assert.is(wide[0]! + 1 + wide[1]!, 200, 'the flexible column takes the rest');
  // Between the two: the flexible column takes what it needs first, the fixed one what is left.
  const mid = columnWidths(COLUMNS, rows, 70);
  assert.is(mid[0]! + 1 + mid[1]!, 70);
  assert.ok(mid[1]! >= rows[0]!.error.length - 3, String(mid));
  // Fixed columns only: they grow to their value when the width allows, never past the width.
  const fixed: TableColumn<Row>[] = [{ header: 'A', width: 3, value: (r) => r.name }];
  assert.equal(columnWidths(fixed, rows, 40), [9]);
  assert.equal(columnWidths(fixed, rows, 6), [6]);
  assert.equal(columnWidths(fixed, rows, 2), [3]);
});

test('wrapText cuts at spaces, cuts a long path by cells, and loses nothing', () => {
  const text = 'error: could not open /var/lib/opsctl/backups/local-20261203T145058699Z/data.tar.zst for reading';
  for (const width of [10, 17, 40]) {
    const lines = wrapText(text, width);
    assert.ok(
      lines.every((l) => stringWidth(l) <= width),
      `${width}: ${JSON.stringify(lines)}`,
    );
    assert.is(lines.join('').replace(/\s+/g, ''), text.replace(/\s+/g, ''));
  }
  assert.equal(wrapText('a\nb', 10), ['a', 'b']);
  const lines = detailLines(
    [
      { label: 'SQL', value: 'SELECT 1' },
      { label: 'ERROR', value: text },
    ],
    30,
  );
  assert.is(lines[0], 'SQL: SELECT 1');
  assert.is(lines[1], 'ERROR:');
  assert.ok(lines.slice(2).every((l) => l.startsWith('  ') && stringWidth(l) <= 30));
});

function ManyKeys() {
  useKeymap(
    'pane',
    Array.from({ length: 20 }, (_, i) => ({ keys: [`F${i}`], label: `action number ${i}`, run: () => undefined })),
  );
  useKeymap('global', [{ keys: ['q'], label: 'quit', run: () => undefined }]);
  return <HelpOverlay onClose={() => undefined} width={60} height={10} />;
}

test('the help scrolls: a short terminal still reaches the last key', async () => {
  const app = render(
    <KeymapProvider>
      <ManyKeys />
    </KeymapProvider>,
  );
  let frame = await waitFor(app.lastFrame, (f) => f.includes('action number 0'));
  assert.not.match(frame, /quit/);
  assert.match(frame, /1-7\/\d+/);
  app.stdin.write('G');
  frame = await waitFor(app.lastFrame, (f) => f.includes('quit'));
  assert.not.match(frame, /action number 0\b/);
  app.stdin.write('g');
  await waitFor(app.lastFrame, (f) => f.includes('action number 0'));
  for (let i = 0; i < 30; i++) app.stdin.write('j');
  await waitFor(app.lastFrame, (f) => f.includes('quit'));
  app.unmount();
});

function RowTable({ rows }: { rows: Row[] }) {
  return (
    <Box flexDirection="column">
      <Table rows={rows} columns={COLUMNS} selected={0} height={3} width={30} />
    </Box>
  );
}

test('l opens the selected row whole (the cut error wrapped in full); esc closes it', async () => {
  const error = 'connect ECONNREFUSED 127.0.0.1:5432 while probing target reco after 3 attempts';
  const app = render(
    <KeymapProvider>
      <RowTable rows={[{ name: 'reco', error }]} />
    </KeymapProvider>,
  );
  let frame = await waitFor(app.lastFrame, (f) => f.includes('reco'));
  assert.match(frame, /…/, 'the error is cut in the table');
  assert.match(frame, /l whole row/);
  app.stdin.write('l');
  frame = await waitFor(app.lastFrame, (f) => f.includes('ERROR:'));
  // The whole error is on screen, wrapped (the view scrolls if it is taller than the table).
  await tick(50);
  app.stdin.write('G');
  const seen = new Set<string>();
  for (const f of [frame, await waitFor(app.lastFrame, (x) => x.includes('attempts'))]) {
    for (const word of f.split(/[\s│╭╮╰╯─]+/)) seen.add(word);
  }
  for (const word of error.split(' ')) assert.ok(seen.has(word), `"${word}" shown`);
  app.stdin.write(ESC);
  await waitFor(app.lastFrame, (f) => f.includes('NAME') && !f.includes('ERROR:'));
  app.unmount();
});

test('a chunk of keys is split into one key each; arrows and ctrl keys pass through whole', () => {
  const plain = { ctrl: false, meta: false, shift: false } as Key;
  assert.equal(
    splitChunk('jjJ', plain).map(([i, k]) => [i, k.shift]),
    [
      ['j', false],
      ['j', false],
      ['J', true],
    ],
  );
  const erased = splitChunk('\x7f\x7f', plain);
  assert.is(erased.length, 2);
  assert.ok(erased.every(([i, k]) => i === '' && k.backspace));
  assert.is(splitChunk('q', plain).length, 1);
  assert.is(splitChunk('ab', { ...plain, ctrl: true }).length, 1);
  assert.is(splitChunk('[B\x1b[B', plain).length, 1, 'an escape sequence is not split into letters');
});

test('ProgressBar: no stray 0 without a total; figures with separators and their unit', () => {
  const none = render(<ProgressBar done={0} width={40} label="  " />);
  assert.not.match(none.lastFrame() ?? '', /0/);
  const some = render(<ProgressBar done={5849} total={20000} width={60} unit="requests" />);
  assert.match(some.lastFrame() ?? '', /5,849\/20,000 requests 29%/);
});

test.run();
