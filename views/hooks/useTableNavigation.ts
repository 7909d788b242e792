import { useRef, useState } from 'react';
import type { Binding } from '../keys.js';

interface Selection {
  /** Where the selection was when it was last moved: used when its row is gone. */
  index: number;
  /** The identity of the selected row (a run id, a backup id, a table), when the pane gives row keys. */
  key: string | undefined;
}

const clamp = (i: number, count: number) => Math.max(0, Math.min(count - 1, i));

/**
 * Selection for a Table: the bindings that move it, clamped when the row count changes. With `keys` (each row's
 * identity, in row order) the selection follows its row, not its position: a run arriving above the selected one, a
 * refresh that reorders, or a page loaded below never moves the highlight (or what an action acts on) to another row.
 * When the selected row disappears, the selection stays at its last position.
 */
export function useTableNavigation(count: number, pageSize: number, keys?: readonly string[]) {
  const [selection, setSelection] = useState<Selection>({ index: 0, key: undefined });
  // Read inside state updates: keys delivered in one chunk (jjj) each move from where the previous one left it.
  const latest = useRef({ count, keys });
  latest.current = { count, keys };
  const indexOf = (s: Selection): number => {
    const { count: n, keys: k } = latest.current;
    const found = s.key !== undefined && k ? k.indexOf(s.key) : -1;
    return found >= 0 ? found : clamp(s.index, n);
  };
  const moveTo = (to: (current: number) => number) =>
    setSelection((s) => {
      const index = clamp(to(indexOf(s)), latest.current.count);
      return { index, key: latest.current.keys?.[index] };
    });
  const move = (delta: number) => moveTo((i) => i + delta);
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
    { keys: ['home', 'g'], label: 'first row', run: () => moveTo(() => 0), hidden: true },
    { keys: ['end', 'G'], label: 'last row', run: () => moveTo(() => latest.current.count - 1), hidden: true },
  ];
  return {
    selected: Math.max(0, indexOf(selection)),
    setSelected: (index: number) => moveTo(() => index),
    /** Selects the row with this identity (a backup just created), wherever it is now or will be once loaded. */
    selectKey: (key: string) => setSelection((s) => ({ index: indexOf(s), key })),
    bindings,
  };
}
