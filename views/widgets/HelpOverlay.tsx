import React from 'react';
import { Box, Text } from 'ink';
import { useKeymap, useKeymapApi } from '../hooks/keymap.js';
import { keyLabel, type Binding } from '../keys.js';

const TITLES = { pane: 'This pane', global: 'Everywhere', modal: 'Dialog' } as const;

/** `?`: every key of the current pane and the global ones, with what each does. */
export function HelpOverlay({ onClose, width, height }: { onClose: () => void; width: number; height: number }) {
  const api = useKeymapApi();
  const groups = api.all().filter((g) => g.layer !== 'modal');
  useKeymap('modal', [{ keys: ['esc', '?', 'q'], label: 'close help', run: onClose }]);
  const render = (b: Binding, i: number) => (
    <Text key={i} wrap="truncate">
      <Text color="cyan" bold>
        {keyLabel(b.keys).padEnd(12)}
      </Text>
      {b.description ?? b.label}
    </Text>
  );
  // The pane-number keys read better as one line than as one per pane.
  const compact = (bindings: Binding[]): Binding[] => {
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
  };
  const columns = (['pane', 'global'] as const)
    .map((layer) => ({ layer, bindings: compact(groups.filter((g) => g.layer === layer).flatMap((g) => g.bindings)) }))
    .filter((c) => c.bindings.length > 0);
  // Side by side when there is room, so the help fits a short terminal; stacked otherwise.
  const sideBySide = width >= 90;
  return (
    <Box
      flexDirection="column"
      borderStyle="round"
      borderColor="cyan"
      paddingX={1}
      width={width}
      height={height}
      overflow="hidden"
    >
      <Text bold>Keys</Text>
      <Box flexDirection={sideBySide ? 'row' : 'column'} overflow="hidden">
        {columns.map(({ layer, bindings }) => (
          <Box
            key={layer}
            flexDirection="column"
            marginTop={1}
            flexShrink={0}
            width={sideBySide ? Math.floor((width - 4) / columns.length) : undefined}
          >
            <Text underline>{TITLES[layer]}</Text>
            {bindings.map(render)}
          </Box>
        ))}
      </Box>
    </Box>
  );
}
