import { useState } from 'react';
import type { Binding } from '../keys.js';

/**
 * A scrolled view of `total` lines in `bodyHeight` rows: the offset (clamped when the content shrinks), the keys that
 * move it (↑/↓ j/k, pgup/pgdn/space, g/G home/end) and the "a-b/n" position, empty when everything fits.
 */
export function useScroll(total: number, bodyHeight: number) {
  const maxOffset = Math.max(0, total - bodyHeight);
  const [rawOffset, setOffset] = useState(0);
  const offset = Math.min(rawOffset, maxOffset);
  const scroll = (delta: number) => setOffset((o) => Math.max(0, Math.min(maxOffset, Math.min(o, maxOffset) + delta)));
  const page = Math.max(1, bodyHeight - 1);
  const scrolls = maxOffset > 0;
  const bindings: Binding[] = [
    { keys: ['down', 'j'], label: 'scroll', display: '↑/↓', run: () => scroll(1), enabled: scrolls },
    { keys: ['up', 'k'], label: 'scroll up', hidden: true, run: () => scroll(-1), enabled: scrolls },
    { keys: ['pagedown', ' '], label: 'page', display: 'pgdn', run: () => scroll(page), enabled: scrolls },
    { keys: ['pageup'], label: 'page up', hidden: true, run: () => scroll(-page), enabled: scrolls },
    { keys: ['home', 'g'], label: 'top', hidden: true, run: () => setOffset(0), enabled: scrolls },
    { keys: ['end', 'G'], label: 'bottom', hidden: true, run: () => setOffset(maxOffset), enabled: scrolls },
  ];
  const position = scrolls ? `${offset + 1}-${Math.min(total, offset + bodyHeight)}/${total}` : '';
  return { offset, bindings, position };
}
