import { useState } from 'react';
import { Box, useApp, useInput } from 'ink';
import { KeymapProvider, useKeymap, useKeymapApi } from './hooks/keymap.js';
import { FlashProvider, useFlash } from './hooks/useFlash.js';
import { useTerminalSize } from './hooks/useTerminalSize.js';
import { PANES } from './panes/index.js';
import type { PaneDefinition } from './panes/types.js';
import { ServicesProvider, useServices, type ConsoleServices } from './services/services.js';
import { DetailHost } from './widgets/DetailView.js';
import { HelpOverlay } from './widgets/HelpOverlay.js';
import { KeyBar } from './widgets/KeyBar.js';
import { StatusLine } from './widgets/StatusLine.js';
import { TabBar } from './widgets/TabBar.js';

export interface AppProps {
  services: ConsoleServices;
  panes?: PaneDefinition[];
  initialPane?: string;
}

/** The console: providers around the shell. Components only render; hooks and services hold the logic. */
export function App({ services, panes = PANES, initialPane }: AppProps) {
  return (
    <ServicesProvider services={services}>
      <FlashProvider>
        <KeymapProvider>
          <Shell panes={panes} initialPane={initialPane ?? panes[0]!.id} />
        </KeymapProvider>
      </FlashProvider>
    </ServicesProvider>
  );
}

function Shell({ panes, initialPane }: { panes: PaneDefinition[]; initialPane: string }) {
  const { exit } = useApp();
  const services = useServices();
  const keymap = useKeymapApi();
  const { flash } = useFlash();
  const { columns, rows } = useTerminalSize();
  const [active, setActive] = useState(initialPane);
  const [help, setHelp] = useState(false);
  const index = Math.max(
    0,
    panes.findIndex((p) => p.id === active),
  );
  const go = (delta: number) => setActive(panes[(index + delta + panes.length) % panes.length]!.id);

  // Ctrl-C quits from anywhere, dialogs included, and still restores the terminal (main.tsx).
  useInput((input, key) => {
    if (key.ctrl && input === 'c') exit();
  });
  useKeymap('global', [
    { keys: ['tab'], label: 'next pane', run: () => go(1), enabled: panes.length > 1 },
    { keys: ['shift+tab'], label: 'previous pane', run: () => go(-1), hidden: true, enabled: panes.length > 1 },
    ...panes.map((p, i) => ({
      keys: [String(i + 1)],
      label: p.title,
      description: `go to ${p.title}`,
      hidden: true,
      run: () => setActive(p.id),
    })),
    { keys: ['?'], label: 'help', description: 'show every key', run: () => setHelp(true) },
    { keys: ['q'], label: 'quit', description: 'quit (also ctrl+c)', run: () => exit() },
  ]);

  // One line short of the terminal: a frame as tall as the screen makes Ink clear and redraw everything.
  const height = Math.max(10, rows - 1);
  const paneHeight = height - 3;
  const Pane = panes[index]!.component;
  return (
    <Box flexDirection="column" width={columns} height={height}>
      <TabBar tabs={panes} active={panes[index]!.id} width={columns} environment={services.loaded.config.environment} />
      <Box height={paneHeight} flexDirection="column">
        {help ? <HelpOverlay onClose={() => setHelp(false)} width={columns} height={paneHeight} /> : null}
        {/* The pane stays mounted under the help, so its keys are listed there and its data keeps refreshing. */}
        <Box display={help ? 'none' : 'flex'} flexDirection="column">
          <DetailHost width={columns} height={paneHeight}>
            <Pane width={columns} height={paneHeight} />
          </DetailHost>
        </Box>
      </Box>
      <StatusLine flash={flash} width={columns} />
      <KeyBar bindings={keymap.active()} width={columns} />
    </Box>
  );
}
