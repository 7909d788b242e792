import { Text } from 'ink';

const TICKS = '▁▂▃▄▅▆▇█';

/** One row of block characters scaled to the largest value (the last `width` values). */
export function sparkline(values: readonly number[], width: number): string {
  const shown = values.slice(-width);
  const max = Math.max(0, ...shown);
  if (max === 0) return TICKS[0]!.repeat(shown.length);
  return shown
    .map((v) => TICKS[Math.min(TICKS.length - 1, Math.floor((Math.max(0, v) / max) * (TICKS.length - 1)))])
    .join('');
}

export function Sparkline({
  values,
  width,
  color = 'cyan',
}: {
  values: readonly number[];
  width: number;
  color?: string;
}) {
  return <Text color={color}>{sparkline(values, width)}</Text>;
}
