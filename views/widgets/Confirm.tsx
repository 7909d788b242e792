import { useRef, useState } from 'react';
import { Box, Text } from 'ink';
import { useKeymap } from '../hooks/keymap.js';
import type { GateQuestion } from '../hooks/useConfirmGate.js';

export interface ConfirmProps {
  /** What will happen, in one line. */
  action: string;
  /** When set, the operator must type this word (production targets). */
  typed?: string | undefined;
  confirmLabel?: string;
  onAnswer: (yes: boolean) => void;
  width?: number;
  /**
   * For an action that is not destructive (starting a load test): the confirm button has the focus and `y` confirms,
   * `n` cancels. Never with `typed`.
   */
  quick?: boolean | undefined;
}

/**
 * The confirmation dialog for destructive actions. Cancel has the focus, so a stray Enter never destroys anything;
 * with `typed`, the action runs only after the exact word is typed. `quick` dialogs (not destructive) focus the
 * confirm button and take y / n.
 */
export function Confirm({ action, typed, confirmLabel = 'Confirm', onAnswer, width = 60, quick }: ConfirmProps) {
  const isQuick = quick === true && typed === undefined;
  const [focus, setFocusState] = useState<'cancel' | 'confirm'>(isQuick ? 'confirm' : 'cancel');
  const [text, setTextState] = useState('');
  // Keys are handled against these refs, not the last render: an operator typing fast (or a loaded machine) may press
  // Enter before React has rendered the previous key.
  const focusRef = useRef(focus);
  const textRef = useRef(text);
  const setFocus = (f: 'cancel' | 'confirm') => setFocusState((focusRef.current = f));
  const setText = (update: (t: string) => string) => setTextState((textRef.current = update(textRef.current)));
  const isTypedOk = (t: string) => typed === undefined || t === typed;
  const typedOk = isTypedOk(text);
  const toggle = () => setFocus(focusRef.current === 'cancel' ? 'confirm' : 'cancel');

  useKeymap(
    'modal',
    [
      { keys: ['esc'], label: 'cancel', run: () => onAnswer(false) },
      { keys: ['left', 'right', 'tab', 'shift+tab'], label: 'switch', display: '←/→', run: toggle },
      {
        keys: ['enter'],
        label: focus === 'cancel' ? 'cancel' : confirmLabel.toLowerCase(),
        run: () => {
          if (focusRef.current === 'confirm' && isTypedOk(textRef.current)) onAnswer(true);
          else if (focusRef.current === 'cancel') onAnswer(false);
        },
      },
      ...(typed !== undefined
        ? [{ keys: ['backspace'], label: 'erase', hidden: true, run: () => setText((t) => t.slice(0, -1)) }]
        : []),
      ...(isQuick
        ? [
            { keys: ['y'], label: confirmLabel.toLowerCase(), run: () => onAnswer(true) },
            { keys: ['n'], label: 'cancel', hidden: true, run: () => onAnswer(false) },
          ]
        : []),
    ],
    typed !== undefined ? { onText: (input) => setText((t) => t + input) } : {},
  );

  return (
    // Never squeezed by a pane that is full: the rows around it give way, the question and its buttons do not.
    <Box flexDirection="column" borderStyle="round" borderColor="yellow" paddingX={1} width={width} flexShrink={0}>
      <Text bold color="yellow">
        Confirm
      </Text>
      <Text wrap="wrap">{action}</Text>
      {typed !== undefined ? (
        <Box marginTop={1} flexDirection="column">
          <Text>
            Type <Text bold>{typed}</Text> to enable {confirmLabel}:
          </Text>
          <Text>
            {'> '}
            <Text color={typedOk ? 'green' : undefined}>{text}</Text>
            <Text inverse> </Text>
          </Text>
        </Box>
      ) : null}
      <Box marginTop={1} gap={2}>
        <Text inverse={focus === 'cancel'} bold={focus === 'cancel'}>
          {' Cancel '}
        </Text>
        <Text inverse={focus === 'confirm'} color={typedOk ? 'red' : 'gray'} bold={focus === 'confirm'}>
          {` ${confirmLabel} `}
        </Text>
      </Box>
    </Box>
  );
}

/** The dialog of a pane's own confirmation (useConfirmGate), when it is asking. */
export function GateConfirm({
  gate,
  width,
}: {
  gate: { asking: GateQuestion | undefined; answer: (yes: boolean) => void };
  width: number;
}) {
  const q = gate.asking;
  if (!q) return null;
  return (
    <Confirm
      action={q.action}
      typed={q.typed}
      confirmLabel={q.confirmLabel}
      quick={q.quick}
      onAnswer={gate.answer}
      width={width}
    />
  );
}
