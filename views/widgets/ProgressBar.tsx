import { Text } from 'ink';
import { count } from '../../src/format.js';

export interface ProgressBarProps {
  done?: number | undefined;
  total?: number | undefined;
  width: number;
  label?: string | undefined;
  color?: string;
  /** What is counted ("requests", "rows"), written after the figures: `5,849/20,000 requests`. */
  unit?: string | undefined;
  /** How a figure is written when a plain count is not the right form (bytes: `5.58 MiB`); the unit is then left out. */
  format?: ((n: number) => string) | undefined;
}

/** A bar when the total is known; a counter otherwise. */
export function ProgressBar({ done = 0, total, width, label, color = 'cyan', unit, format }: ProgressBarProps) {
  const prefix = label ? `${label} ` : '';
  const units = unit && !format ? ` ${unit}` : '';
  const figure = format ?? count;
  if (!total) {
    // Nothing counted yet and no total: no stray "0" under the phase line.
    if (!done) return null;
    return (
      <Text wrap="truncate">
        {prefix}
        <Text color={color}>{figure(done)}</Text>
        {units}
      </Text>
    );
  }
  const ratio = Math.max(0, Math.min(1, done / total));
  const suffix = ` ${figure(done)}/${figure(total)}${units} ${Math.floor(ratio * 100)}%`;
  const barWidth = Math.max(5, width - prefix.length - suffix.length);
  const filled = Math.round(ratio * barWidth);
  return (
    <Text wrap="truncate">
      {prefix}
      <Text color={color}>{'█'.repeat(filled)}</Text>
      <Text dimColor>{'░'.repeat(barWidth - filled)}</Text>
      {suffix}
    </Text>
  );
}
