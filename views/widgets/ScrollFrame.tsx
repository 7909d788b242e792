import type { ReactNode } from 'react';
import { Box, Text } from 'ink';

/** The frame of an overlay that scrolls (help, detail): a rounded border, a title and where the view is. */
export function ScrollFrame({
  title,
  position,
  width,
  height,
  children,
}: {
  title: string;
  /** "a-b/n" when the content scrolls, else empty. */
  position: string;
  width: number;
  height: number;
  children: ReactNode;
}) {
  return (
    <Box
      flexDirection="column"
      borderStyle="round"
      borderColor="cyan"
      paddingX={1}
      width={width}
      height={height}
      overflow="hidden"
    >
      <Text wrap="truncate">
        <Text bold>{title}</Text>
        <Text dimColor>{`${position ? `  ${position} ↑/↓ scroll` : ''}  esc close`}</Text>
      </Text>
      {children}
    </Box>
  );
}
