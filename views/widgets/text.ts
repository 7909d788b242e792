import stringWidth from 'string-width';

/** Cuts text to `width` terminal cells, with an ellipsis when it had to cut. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (stringWidth(text) <= width) return text;
  let out = '';
  for (const ch of text) {
    if (stringWidth(out + ch) > width - 1) break;
    out += ch;
  }
  return `${out}…`;
}

export function pad(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const cut = truncate(text, width);
  const gap = ' '.repeat(Math.max(0, width - stringWidth(cut)));
  return align === 'right' ? gap + cut : cut + gap;
}
