import { Text } from 'ink';

/** The `/` prompt line; the text is typed into useFilter's modal layer. */
export function FilterPrompt({ text, editing }: { text: string; editing: boolean }) {
  if (!editing && !text) return null;
  return (
    <Text>
      <Text color="cyan">/</Text>
      {text}
      {editing ? <Text inverse> </Text> : <Text dimColor>{'  (/ edit, esc clear)'}</Text>}
    </Text>
  );
}
