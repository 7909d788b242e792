import { useEffect, useState } from 'react';
import type { Binding } from '../keys.js';

/** Selection for a Table: the bindings that move it, clamped when the row count changes. */
export function useTableNavigation(count: number, pageSize: number) {
  const [selected, setSelected] = useState(0);
  useEffect(() => {
    if (selected > Math.max(0, count - 1)) setSelected(Math.max(0, count - 1));
  }, [count, selected]);
  const move = (delta: number) => setSelected((s) => Math.max(0, Math.min(count - 1, s + delta)));
  const bindings: Binding[] = [
    {
      keys: ['up', 'k'],
      label: 'move',
      description: 'select the previous row (also k)',
      run: () => move(-1),
      hidden: true,
    },
    {
      keys: ['down', 'j'],
      label: 'move',
      description: 'select the next row (also j)',
      run: () => move(1),
      display: '↑/↓',
    },
    { keys: ['pageup'], label: 'page up', run: () => move(-pageSize), hidden: true },
    { keys: ['pagedown'], label: 'page down', run: () => move(pageSize), hidden: true },
    { keys: ['home', 'g'], label: 'first row', run: () => setSelected(0), hidden: true },
    { keys: ['end', 'G'], label: 'last row', run: () => setSelected(Math.max(0, count - 1)), hidden: true },
  ];
  return { selected: Math.min(selected, Math.max(0, count - 1)), setSelected, bindings };
}
