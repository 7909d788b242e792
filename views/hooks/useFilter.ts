import { useRef, useState } from 'react';
import type { Binding } from '../keys.js';
import { useKeymap } from './keymap.js';

/**
 * `/` filtering for a pane's list: while editing, a modal layer takes the typed text; Enter keeps the filter, Esc
 * clears it. Returns the bindings the pane adds to its own layer and a predicate over row text.
 */
export function useFilter() {
  const [text, setText] = useState('');
  const [editing, setEditingState] = useState(false);
  // The keymap reads this ref at each key press, so text typed right after `/` lands in the filter, not the pane.
  const editingRef = useRef(false);
  const setEditing = (on: boolean) => {
    editingRef.current = on;
    setEditingState(on);
  };
  useKeymap(
    'modal',
    [
      { keys: ['enter'], label: 'apply filter', run: () => setEditing(false) },
      { keys: ['esc'], label: 'clear filter', run: () => (setText(''), setEditing(false)) },
      { keys: ['backspace'], label: 'erase', hidden: true, run: () => setText((t) => t.slice(0, -1)) },
    ],
    { active: () => editingRef.current, onText: (input) => setText((t) => t + input) },
  );
  const bindings: Binding[] = [
    {
      keys: ['/'],
      label: 'filter',
      description: 'filter the list (Enter keeps it, Esc clears it)',
      run: () => setEditing(true),
    },
    { keys: ['esc'], label: 'clear filter', run: () => setText(''), enabled: text !== '' },
  ];
  const matches = (haystack: string) => !text || haystack.toLowerCase().includes(text.toLowerCase());
  return { text, editing, bindings, matches };
}
