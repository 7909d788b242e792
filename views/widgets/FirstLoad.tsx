import { Box, Text } from 'ink';
import { Spinner } from './Spinner.js';

/** What a pane shows until its first read answers: that read's error in full, or a spinner naming what it reads. */
export function FirstLoad({
  error,
  label,
  width,
  height,
}: {
  error: Error | undefined;
  label: string;
  width: number;
  height: number;
}) {
  return (
    <Box flexDirection="column" width={width} height={height}>
      {error ? (
        <Text color="red" wrap="wrap">
          {error.message}
        </Text>
      ) : (
        <Spinner label={label} />
      )}
    </Box>
  );
}
