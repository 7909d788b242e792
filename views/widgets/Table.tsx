import React, { useRef } from 'react';
import { Box, Text } from 'ink';
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
}: TableProps<T>) {
  const offset = useRef(0);
  const bodyHeight = Math.max(1, height - 1);
  if (selected < offset.current) offset.current = selected;
  if (selected >= offset.current + bodyHeight) offset.current = selected - bodyHeight + 1;
  offset.current = Math.max(0, Math.min(offset.current, Math.max(0, rows.length - bodyHeight)));

  const gaps = columns.length - 1;
  const fixed = columns.reduce((sum, c) => sum + (c.width ?? 0), 0);
  const flexible = columns.filter((c) => c.width === undefined).length;
  const share = flexible ? Math.max(4, Math.floor((width - fixed - gaps) / flexible)) : 0;
  const widths = columns.map((c) => c.width ?? share);

  const visible = rows.slice(offset.current, offset.current + bodyHeight);
  const position =
    rows.length > bodyHeight ? ` ${offset.current + 1}-${offset.current + visible.length}/${rows.length}` : '';

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
