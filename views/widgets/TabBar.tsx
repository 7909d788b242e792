import React from 'react';
import { Box, Text } from 'ink';

export interface Tab {
  id: string;
  title: string;
}

export function TabBar({
  tabs,
  active,
  width,
  environment,
}: {
  tabs: Tab[];
  active: string;
  width: number;
  environment: string;
}) {
  const envColor = environment === 'production' ? 'red' : environment === 'staging' ? 'yellow' : 'green';
  return (
    <Box width={width} justifyContent="space-between">
      <Text wrap="truncate">
        <Text bold color="magenta">
          {'opsctl '}
        </Text>
        {tabs.map((tab, i) => (
          <Text key={tab.id}>
            {' '}
            <Text inverse={tab.id === active} bold={tab.id === active} dimColor={tab.id !== active}>
              {` ${i + 1} ${tab.title} `}
            </Text>
          </Text>
        ))}
      </Text>
      <Text color={envColor} bold>
        {` ${environment} `}
      </Text>
    </Box>
  );
}
