import { stripVTControlCharacters } from 'node:util';
import { redactor } from '../log/redact.js';
import type { Colors } from './colors.js';

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
  align?: 'left' | 'right';
  /** Colour a cell after padding (so ANSI codes do not upset the widths). */
  color?: (text: string, row: T) => string;
}

/** What a command's text renderer writes through; everything passes the redactor. */
export interface TextOut {
  c: Colors;
  line(text?: string): void;
  table<T>(rows: T[], columns: Column<T>[], options?: { empty?: string }): void;
  kv(pairs: Array<[string, unknown]>): void;
}

export function createTextOut(write: (s: string) => void, colors: Colors): TextOut {
  const line = (text = '') => write(`${redactor.redact(text)}\n`);
  return {
    c: colors,
    line,
    table(rows, columns, options = {}) {
      if (rows.length === 0) {
        line(colors.dim(options.empty ?? '(none)'));
        return;
      }
      const cells = rows.map((row) => columns.map((col) => formatCell(col.value(row))));
      const widths = columns.map((col, i) => Math.max(col.header.length, ...cells.map((r) => visibleLength(r[i]!))));
      const pad = (text: string, i: number) => {
        const gap = ' '.repeat(Math.max(0, widths[i]! - visibleLength(text)));
        return columns[i]!.align === 'right' ? gap + text : text + gap;
      };
      line(
        colors.bold(
          columns
            .map((col, i) => pad(col.header, i))
            .join('  ')
            .trimEnd(),
        ),
      );
      rows.forEach((row, r) => {
        line(
          columns
            .map((col, i) => {
              const padded = pad(cells[r]![i]!, i);
              return col.color ? col.color(padded, row) : padded;
            })
            .join('  ')
            .trimEnd(),
        );
      });
    },
    kv(pairs) {
      const width = Math.max(...pairs.map(([k]) => k.length));
      for (const [k, v] of pairs) line(`${colors.dim(`${k.padEnd(width)}`)}  ${formatCell(v)}`);
    },
  };
}

export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(2);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return JSON.stringify(value);
}

export function visibleLength(text: string): number {
  return stripVTControlCharacters(text).length;
}

/** `--json` prints exactly one JSON document on stdout. */
export function writeJson(write: (s: string) => void, value: unknown): void {
  write(`${redactor.redact(JSON.stringify(value, null, 2))}\n`);
}
