import { createContext, useContext, useState, type ReactNode } from 'react';
import { Box, Text } from 'ink';
import stringWidth from 'string-width';
import { useKeymap } from '../hooks/keymap.js';
import { ScrollFrame } from './ScrollFrame.js';
import { useScroll } from './useScroll.js';

export interface DetailField {
  label: string;
  value: string;
}

/** Cuts `text` into lines of at most `width` cells, at spaces when it can; newlines in the text are kept. */
export function wrapText(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const out: string[] = [];
  for (const paragraph of text.split(/\r?\n/)) {
    let line = '';
    let lineWidth = 0;
    const flush = () => {
      out.push(line.trimEnd());
      line = '';
      lineWidth = 0;
    };
    for (const word of paragraph.split(/(\s+)/)) {
      if (!word) continue;
      const ww = stringWidth(word);
      if (lineWidth + ww <= w) {
        line += word;
        lineWidth += ww;
        continue;
      }
      if (/^\s+$/.test(word)) {
        flush();
        continue;
      }
      if (lineWidth > 0 && ww <= w) {
        flush();
        line = word;
        lineWidth = ww;
        continue;
      }
      // A word longer than the line (a path, a URL, a hash): cut it by cells.
      for (const ch of word) {
        const cw = stringWidth(ch);
        if (lineWidth + cw > w) flush();
        line += ch;
        lineWidth += cw;
      }
    }
    flush();
  }
  return out;
}

/** The lines a list of fields takes at a width: "LABEL" then its value wrapped and indented. */
export function detailLines(fields: DetailField[], width: number): string[] {
  const lines: string[] = [];
  for (const f of fields) {
    const value = f.value === '' ? '-' : f.value;
    const labelWidth = stringWidth(f.label) + 2;
    // Short values sit beside their label; long ones start on the next line and use the whole width.
    if (labelWidth + stringWidth(value) <= width && !value.includes('\n')) {
      lines.push(`${f.label}: ${value}`);
      continue;
    }
    lines.push(`${f.label}:`);
    for (const l of wrapText(value, width - 2)) lines.push(`  ${l}`);
  }
  return lines;
}

/**
 * A value shown whole: wrapped to the width and scrolled with ↑/↓, j/k, pgup/pgdn, g/G; esc (or q, ⏎, l) closes it.
 * Opened on any cut value — an error, a path, a SQL statement — so nothing on screen is cut for good.
 */
export function DetailView({
  title,
  fields,
  width,
  height,
  onClose,
}: {
  title: string;
  fields: DetailField[];
  width: number;
  height: number;
  onClose: () => void;
}) {
  // Border (2), padding (2) and the title line.
  const inner = Math.max(10, width - 4);
  const bodyHeight = Math.max(1, height - 3);
  const lines = detailLines(fields, inner);
  const { offset, bindings, position } = useScroll(lines.length, bodyHeight);
  useKeymap('modal', [{ keys: ['esc', 'q', 'enter', 'l'], label: 'close', display: 'esc', run: onClose }, ...bindings]);

  return (
    <ScrollFrame title={title} position={position} width={width} height={Math.min(height, lines.length + 3)}>
      {lines.slice(offset, offset + bodyHeight).map((line, i) => (
        <Text key={i} wrap="truncate">
          {line || ' '}
        </Text>
      ))}
    </ScrollFrame>
  );
}

export interface Detail {
  title: string;
  fields: DetailField[];
}

const DetailContext = createContext<((detail: Detail) => void) | null>(null);

/** Opens a DetailView over the whole pane (see DetailHost); null outside one. */
export function useDetailHost(): ((detail: Detail) => void) | null {
  return useContext(DetailContext);
}

/**
 * Where details open: around the pane, so a detail opened from a small table still gets the pane's whole height. The
 * pane stays mounted under it (hidden), so its data keeps refreshing and its selection is where it was.
 */
export function DetailHost({ width, height, children }: { width: number; height: number; children: ReactNode }) {
  const [shown, setShown] = useState<Detail | undefined>(undefined);
  return (
    <DetailContext.Provider value={setShown}>
      {shown ? (
        <DetailView
          title={shown.title}
          fields={shown.fields}
          width={width}
          height={height}
          onClose={() => setShown(undefined)}
        />
      ) : null}
      <Box display={shown ? 'none' : 'flex'} flexDirection="column">
        {children}
      </Box>
    </DetailContext.Provider>
  );
}
