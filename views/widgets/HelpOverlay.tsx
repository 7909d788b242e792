import { Box, Text } from 'ink';
import { useKeymap, useKeymapApi } from '../hooks/keymap.js';
import { keyLabel, type Binding } from '../keys.js';
import { wrapText } from './DetailView.js';
import { ScrollFrame } from './ScrollFrame.js';
import { useScroll } from './useScroll.js';

const TITLES = { pane: 'This pane', global: 'Everywhere', modal: 'Dialog' } as const;

type Line = { kind: 'title'; text: string } | { kind: 'key'; keys: string; text: string } | { kind: 'blank' };

/** The pane-number keys read better as one line ("1-7 go to a pane: …") than as one line per pane. */
function compact(bindings: Binding[]): Binding[] {
  const digits = bindings.filter((b) => b.keys.length === 1 && /^[1-9]$/.test(b.keys[0]!));
  if (digits.length < 2) return bindings;
  const names = digits.map((b) => (b.description ?? b.label).replace(/^go to /, ''));
  const merged: Binding = {
    keys: [`1-${digits.length}`],
    label: 'go to a pane',
    description: `go to a pane: ${names.join(', ')}`,
    run: () => undefined,
  };
  const first = bindings.indexOf(digits[0]!);
  const rest = bindings.filter((b) => !digits.includes(b));
  return [...rest.slice(0, first), merged, ...rest.slice(first)];
}

const KEY_COLUMN = 12;

/** A section's lines at a column width: a long description continues on the next lines, under itself. */
function sectionLines(layer: 'pane' | 'global', bindings: Binding[], width: number): Line[] {
  return [
    { kind: 'title', text: TITLES[layer] },
    ...bindings.flatMap((b): Line[] =>
      wrapText(b.description ?? b.label, Math.max(8, width - KEY_COLUMN)).map((text, i) => ({
        kind: 'key',
        keys: i === 0 ? keyLabel(b.keys) : '',
        text,
      })),
    ),
  ];
}

function LineView({ line, width }: { line: Line | undefined; width: number }) {
  if (!line || line.kind === 'blank') return <Text> </Text>;
  if (line.kind === 'title') return <Text underline>{line.text}</Text>;
  return (
    <Box width={width}>
      <Text wrap="truncate">
        <Text color="cyan" bold>
          {line.keys.padEnd(KEY_COLUMN)}
        </Text>
        {line.text}
      </Text>
    </Box>
  );
}

/**
 * `?`: every key of the current pane and the global ones, with what each does. The list scrolls (↑/↓, j/k, pgup/pgdn,
 * g/G), so a short terminal still reaches the last key.
 */
export function HelpOverlay({ onClose, width, height }: { onClose: () => void; width: number; height: number }) {
  const api = useKeymapApi();
  const groups = api.all().filter((g) => g.layer !== 'modal');
  const present = (['pane', 'global'] as const)
    .map((layer) => ({ layer, bindings: compact(groups.filter((g) => g.layer === layer).flatMap((g) => g.bindings)) }))
    .filter((c) => c.bindings.length > 0);

  // Border (2) and the title line (1) take three rows; the rest scrolls.
  const bodyHeight = Math.max(1, height - 3);
  const inner = Math.max(10, width - 4);
  // Side by side when there is room, so the help fits a short terminal; stacked otherwise.
  const sideBySide = width >= 90 && present.length > 1;
  const columnWidth = Math.floor(inner / (sideBySide ? present.length : 1));
  const sections = present.map((c) => sectionLines(c.layer, c.bindings, columnWidth - 1));
  const columns: Line[][] = sideBySide
    ? sections
    : [sections.flatMap((lines, i) => (i === 0 ? lines : [{ kind: 'blank' }, ...lines]))];
  const total = Math.max(...columns.map((c) => c.length), 0);
  const scroll = useScroll(total, bodyHeight);
  const offset = scroll.offset;
  useKeymap('modal', [{ keys: ['esc', '?', 'q'], label: 'close help', run: onClose }, ...scroll.bindings]);

  return (
    <ScrollFrame title="Keys" position={scroll.position} width={width} height={height}>
      <Box flexDirection="row" height={bodyHeight} overflow="hidden">
        {columns.map((lines, ci) => (
          <Box key={ci} flexDirection="column" width={columnWidth} flexShrink={0}>
            {lines.slice(offset, offset + bodyHeight).map((line, i) => (
              <LineView key={i} line={line} width={columnWidth - 1} />
            ))}
          </Box>
        ))}
      </Box>
    </ScrollFrame>
  );
}
