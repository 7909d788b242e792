import { Text } from 'ink';
import type { Flash } from '../hooks/useFlash.js';
import { truncate } from './text.js';

const COLOR: Record<Flash['level'], string> = { info: 'cyan', success: 'green', warn: 'yellow', error: 'red' };

/** The flash line above the key bar: the last thing that happened, or what is running. */
export function StatusLine({
  flash,
  busy,
  width,
}: {
  flash: Flash | undefined;
  busy?: string | undefined;
  width: number;
}) {
  if (flash) return <Text color={COLOR[flash.level]}>{truncate(flash.text, width)}</Text>;
  if (busy) return <Text dimColor>{truncate(busy, width)}</Text>;
  return <Text> </Text>;
}
