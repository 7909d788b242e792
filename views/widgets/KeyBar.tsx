import { Box, Text } from 'ink';
import { bindingKeys, type Binding } from '../keys.js';

/** The footer: every key that works right now, generated from the binding table. */
export function KeyBar({ bindings, width }: { bindings: Binding[]; width: number }) {
  const seen = new Set<string>();
  const items: Array<{ keys: string; label: string }> = [];
  for (const b of bindings) {
    if (b.hidden) continue;
    const keys = bindingKeys(b);
    if (seen.has(keys)) continue;
    seen.add(keys);
    items.push({ keys, label: b.label });
  }
  let used = 0;
  const shown = items.filter((item) => {
    const w = item.keys.length + item.label.length + 3;
    if (used + w > width) return false;
    used += w;
    return true;
  });
  return (
    <Box width={width}>
      <Text wrap="truncate">
        {shown.map((item, i) => (
          <Text key={i}>
            <Text color="cyan" bold>
              {item.keys}
            </Text>
            <Text dimColor>{` ${item.label}  `}</Text>
          </Text>
        ))}
      </Text>
    </Box>
  );
}
