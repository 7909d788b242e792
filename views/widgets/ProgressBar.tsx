import { Text } from 'ink';

export interface ProgressBarProps {
  done?: number | undefined;
  total?: number | undefined;
  width: number;
  label?: string | undefined;
  color?: string;
}

/** A bar when the total is known; a counter otherwise. */
export function ProgressBar({ done = 0, total, width, label, color = 'cyan' }: ProgressBarProps) {
  const prefix = label ? `${label} ` : '';
  if (!total) {
    return (
      <Text wrap="truncate">
        {prefix}
        <Text color={color}>{done}</Text>
      </Text>
    );
  }
  const ratio = Math.max(0, Math.min(1, done / total));
  const suffix = ` ${done}/${total} ${Math.floor(ratio * 100)}%`;
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
