import { useRef, useState } from 'react';
import { Box, Text } from 'ink';
import stringWidth from 'string-width';
import { useKeymap } from '../hooks/keymap.js';
import { DetailView, useDetailHost, type DetailField } from './DetailView.js';
import { pad, truncate } from './text.js';

export interface TableColumn<T> {
  header: string;
  /** Fixed width in cells; columns without one share what is left. */
  width?: number;
  align?: 'left' | 'right';
  value: (row: T) => string;
  color?: (row: T) => string | undefined;
}

export interface TableProps<T> {
  rows: readonly T[];
  columns: TableColumn<T>[];
  /** Index of the selected row (controlled; see useTableNavigation). */
  selected: number;
  /** Rows of screen the table may use, header included. */
  height: number;
  width: number;
  focused?: boolean;
  emptyText?: string;
  rowKey?: (row: T, index: number) => string;
  /** Title of the whole-row view (`l`); "Row N" when missing. */
  detailTitle?: (row: T) => string;
  /** Fields the whole-row view shows after the columns (a full error, a hint, a SQL statement). */
  detailFields?: (row: T) => DetailField[];
}

/**
 * Column widths for a table width. A column's `width` is what it gets on a narrow terminal; when the terminal has
 * room, a cut column grows to its longest value, and the columns without a width share what is left. So columns grow
 * with the terminal and nothing is cut that the width could show.
 */
export function columnWidths<T>(columns: TableColumn<T>[], rows: readonly T[], width: number): number[] {
  const gaps = Math.max(0, columns.length - 1);
  const avail = width - gaps;
  const base = columns.map((c) => c.width ?? 4);
  const natural = columns.map((c) =>
    rows.reduce((m, r) => Math.max(m, stringWidth(c.value(r))), stringWidth(c.header)),
  );
  const flexible = columns.map((c, i) => (c.width === undefined ? i : -1)).filter((i) => i >= 0);
  const widths = [...base];
  let left = avail - base.reduce((a, b) => a + b, 0);
  if (left <= 0) return widths;
  const need = columns.reduce((sum, _c, i) => sum + Math.max(0, natural[i]! - base[i]!), 0);
  if (need <= left) {
    // Everything fits whole: each column at its longest value, the rest to the flexible columns.
    columns.forEach((_c, i) => (widths[i] = Math.max(base[i]!, natural[i]!)));
    left -= need;
    flexible.forEach(
      (i, k) => (widths[i]! += Math.floor(left / flexible.length) + (k < left % flexible.length ? 1 : 0)),
    );
    return widths;
  }
  // Not everything fits: the flexible columns share what is left, as far as they need it; what they do not need
  // goes to the cut fixed columns, left to right.
  if (flexible.length > 0) {
    const share = Math.floor(left / flexible.length);
    for (const i of flexible) {
      const grow = Math.min(share, Math.max(0, natural[i]! - base[i]!));
      widths[i]! += grow;
      left -= grow;
    }
  }
  columns.forEach((c, i) => {
    if (c.width === undefined || left <= 0) return;
    const grow = Math.min(left, Math.max(0, natural[i]! - base[i]!));
    widths[i]! += grow;
    left -= grow;
  });
  // Still room (the fixed columns are whole): the flexible ones take it.
  flexible.forEach((i, k) => (widths[i]! += Math.floor(left / flexible.length) + (k < left % flexible.length ? 1 : 0)));
  return widths;
}

/**
 * A selectable, scrollable table. Only the visible window is rendered, so thousands of rows cost nothing; the window
 * moves as little as it can to keep the selection in view.
 */
export function Table<T>({
  rows,
  columns,
  selected,
  height,
  width,
  focused = true,
  emptyText = 'nothing to show',
  rowKey,
  detailTitle,
  detailFields,
}: TableProps<T>) {
  const offset = useRef(0);
  const [detail, setDetail] = useState<T | undefined>(undefined);
  const host = useDetailHost();
  const current = selected >= 0 ? rows[selected] : undefined;
  const fieldsOf = (row: T): DetailField[] => [
    ...columns.map((c, i) => ({ label: c.header || `column ${i + 1}`, value: c.value(row) })),
    ...(detailFields?.(row) ?? []),
  ];
  const titleOf = (row: T) => detailTitle?.(row) ?? `Row ${rows.indexOf(row) + 1}`;
  // Over the whole pane when the console hosts details (App); in place of the table otherwise.
  const open = (row: T) => (host ? host({ title: titleOf(row), fields: fieldsOf(row) }) : setDetail(row));
  useKeymap('pane', [
    {
      keys: ['l'],
      label: 'whole row',
      description: 'show the selected row whole: every value uncut, wrapped (esc closes)',
      hidden: true,
      enabled: focused && current !== undefined && detail === undefined,
      run: () => current !== undefined && open(current),
    },
  ]);

  const bodyHeight = Math.max(1, height - 1);
  if (selected < offset.current) offset.current = selected;
  if (selected >= offset.current + bodyHeight) offset.current = selected - bodyHeight + 1;
  offset.current = Math.max(0, Math.min(offset.current, Math.max(0, rows.length - bodyHeight)));

  const visible = rows.slice(offset.current, offset.current + bodyHeight);
  // Widths from every row when that is cheap, else from the rows on screen.
  const widths = columnWidths(columns, rows.length <= 500 ? rows : visible, width);
  const cut = visible.some((row) => columns.some((c, i) => stringWidth(c.value(row)) > widths[i]!));
  const position =
    (rows.length > bodyHeight ? ` ${offset.current + 1}-${offset.current + visible.length}/${rows.length}` : '') +
    (cut && focused && current !== undefined ? '  l whole row' : '');

  if (detail !== undefined) {
    return (
      <DetailView
        title={titleOf(detail)}
        fields={fieldsOf(detail)}
        width={width}
        height={Math.max(8, height)}
        onClose={() => setDetail(undefined)}
      />
    );
  }

  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">
        <Text bold>
          {truncate(
            columns
              .map((c, i) => pad(c.header, widths[i]!, c.align))
              .join(' ')
              .trimEnd(),
            width - position.length,
          )}
        </Text>
        {position ? <Text dimColor>{position}</Text> : null}
      </Text>
      {rows.length === 0 ? <Text dimColor>{emptyText}</Text> : null}
      {visible.map((row, i) => {
        const index = offset.current + i;
        const isSelected = index === selected;
        return (
          <Text
            key={rowKey ? rowKey(row, index) : index}
            inverse={isSelected && focused}
            bold={isSelected && !focused}
            wrap="truncate"
          >
            {columns.map((c, ci) => {
              const cell = pad(c.value(row), widths[ci]!, c.align);
              const color = c.color?.(row);
              return (
                <Text key={ci} {...(color ? { color } : {})}>
                  {cell}
                  {ci < columns.length - 1 ? ' ' : ''}
                </Text>
              );
            })}
          </Text>
        );
      })}
    </Box>
  );
}
