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
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={1} width={width} height={height} overflow="hidden">
      <Text bold>Keys</Text>
      {(['pane', 'global'] as const).map((layer) => {
        const bindings = groups.filter((g) => g.layer === layer).flatMap((g) => g.bindings);
        if (!bindings.length) return null;
        return (
          <Box key={layer} flexDirection="column" marginTop={1}>
            <Text underline>{TITLES[layer]}</Text>
            {bindings.map(render)}
          </Box>
        );
      })}
    </Box>
  );
}
