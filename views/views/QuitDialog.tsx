import { useRef, useState } from 'react';
import { Box, Text } from 'ink';
import { plural } from '../../src/format.js';
import { useKeymap } from '../hooks/keymap.js';

export type QuitChoice = 'cancel' | 'wait' | 'back';
const CHOICES: Array<{ id: QuitChoice; label: string }> = [
  { id: 'cancel', label: 'Cancel them and quit' },
  { id: 'wait', label: 'Wait, then quit' },
  { id: 'back', label: 'Back' },
];

/** Asked when quitting with jobs running. "Cancel them and quit" has the focus; a second ctrl+c forces (App). */
export function QuitDialog({
  running,
  onAnswer,
  width,
}: {
  running: number;
  onAnswer: (choice: QuitChoice) => void;
  width: number;
}) {
  const [focus, setFocusState] = useState(0);
  const focusRef = useRef(0);
  const move = (d: number) =>
    setFocusState((focusRef.current = (focusRef.current + d + CHOICES.length) % CHOICES.length));
  useKeymap('modal', [
    { keys: ['left', 'shift+tab'], label: 'previous', display: '←/→', run: () => move(-1) },
    { keys: ['right', 'tab'], label: 'next', hidden: true, run: () => move(1) },
    { keys: ['enter'], label: 'choose', run: () => onAnswer(CHOICES[focusRef.current]!.id) },
    { keys: ['esc'], label: 'back', run: () => onAnswer('back') },
  ]);
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="yellow" paddingX={1} width={width}>
      <Text bold color="yellow">{`${plural(running, 'job')} running`}</Text>
      <Text wrap="wrap">
        Quitting now would leave them half done. Cancel them (each is aborted and recorded as cancelled) and quit, wait
        for them, or go back. ctrl+c again forces.
      </Text>
      <Box marginTop={1} gap={2}>
        {CHOICES.map((c, i) => (
          <Text key={c.id} inverse={focus === i} bold={focus === i}>{` ${c.label} `}</Text>
        ))}
      </Box>
    </Box>
  );
}
