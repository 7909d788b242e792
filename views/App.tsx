import { useEffect, useRef, useState } from 'react';
import { Box, useApp, useInput } from 'ink';
import { KeymapProvider, useKeymap, useKeymapApi } from './hooks/keymap.js';
import { FlashProvider, useFlash } from './hooks/useFlash.js';
import { JobsProvider, useJobStore, useJobs } from './hooks/useJobs.js';
import { useTerminalSize } from './hooks/useTerminalSize.js';
import { plural } from '../src/format.js';
import { PANES } from './panes/index.js';
import type { PaneDefinition } from './panes/types.js';
import { JobStore } from './services/jobs.js';
import { ServicesProvider, useServices, type ConsoleServices } from './services/services.js';
import { JobsBadge, jobsBadgeText } from './views/JobsBadge.js';
import { JobsView } from './views/JobsView.js';
import { QuitDialog, type QuitChoice } from './views/QuitDialog.js';
import { DetailHost } from './widgets/DetailView.js';
import { HelpOverlay } from './widgets/HelpOverlay.js';
import { KeyBar } from './widgets/KeyBar.js';
import { StatusLine } from './widgets/StatusLine.js';
import { TabBar } from './widgets/TabBar.js';

export interface AppProps {
  services: ConsoleServices;
  panes?: PaneDefinition[];
  initialPane?: string;
  /** The app's jobs; main.tsx hands in the store it also cancels on SIGTERM. */
  jobs?: JobStore;
}

/** How long "cancel them and quit" waits for the cancelled jobs to unwind before it quits anyway. */
export const QUIT_GRACE_MS = 5_000;

/** The console: providers around the shell. Components only render; hooks and services hold the logic. */
export function App({ services, panes = PANES, initialPane, jobs }: AppProps) {
  const [store] = useState(() => jobs ?? new JobStore(services));
  return (
    <ServicesProvider services={services}>
      <JobsProvider jobs={store}>
        <FlashProvider>
          <KeymapProvider>
            <Shell panes={panes} initialPane={initialPane ?? panes[0]!.id} />
          </KeymapProvider>
        </FlashProvider>
      </JobsProvider>
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
  const [jobsOpen, setJobsOpen] = useState(false);
  const jobs = useJobStore();
  const jobList = useJobs();
  const running = jobList.filter((j) => j.status === 'running').length;
  /** Quitting: asking what to do with running jobs, waiting for them, or cancelling them. */
  const [quitting, setQuittingState] = useState<'ask' | 'wait' | 'cancel'>();
  // Read by the ctrl+c handler: the second ctrl+c may come before React has rendered (and re-subscribed) the first.
  const quittingRef = useRef(quitting);
  const setQuitting = (q: typeof quitting) => setQuittingState((quittingRef.current = q));
  const index = Math.max(
    0,
    panes.findIndex((p) => p.id === active),
  );
  const go = (delta: number) => setActive(panes[(index + delta + panes.length) % panes.length]!.id);

  const quit = () => (jobs.running().length ? setQuitting('ask') : exit());
  const force = () => {
    void jobs.cancelAll(0);
    exit();
  };
  const answerQuit = (choice: QuitChoice) => {
    if (choice === 'back') return setQuitting(undefined);
    setQuitting(choice);
    if (choice === 'cancel') void jobs.cancelAll(QUIT_GRACE_MS).then(() => exit());
  };
  // Waiting: quit as soon as the last job has ended.
  useEffect(() => {
    if (quitting === 'wait' && running === 0) exit();
  }, [quitting, running, exit]);

  // Ctrl-C works from anywhere, dialogs included: it quits (asking first when jobs run); a second one forces.
  // main.tsx restores the terminal and cancels whatever still runs.
  useInput((input, key) => {
    if (!(key.ctrl && input === 'c')) return;
    if (quittingRef.current) force();
    else quit();
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
    {
      keys: ['J'],
      label: 'jobs',
      description: 'every action started from the console: phase, progress, elapsed, result; x cancels one',
      run: () => setJobsOpen(true),
    },
    {
      keys: ['q'],
      label: 'quit',
      description: 'quit (also ctrl+c; asks first when jobs run, a second ctrl+c forces)',
      run: quit,
    },
  ]);

  // One line short of the terminal: a frame as tall as the screen makes Ink clear and redraw everything.
  const height = Math.max(10, rows - 1);
  const paneHeight = height - 3;
  const Pane = panes[index]!.component;
  const badgeWidth = jobsBadgeText(jobList).length + (running ? 3 : 2);
  const covered = help || jobsOpen || quitting === 'ask';
  return (
    <Box flexDirection="column" width={columns} height={height}>
      <Box>
        <TabBar
          tabs={panes}
          active={panes[index]!.id}
          width={jobList.length ? columns - badgeWidth : columns}
          environment={services.loaded.config.environment}
        />
        <JobsBadge />
      </Box>
      <Box height={paneHeight} flexDirection="column">
        {help ? <HelpOverlay onClose={() => setHelp(false)} width={columns} height={paneHeight} /> : null}
        {jobsOpen && !help ? <JobsView onClose={() => setJobsOpen(false)} width={columns} height={paneHeight} /> : null}
        {quitting === 'ask' ? (
          <QuitDialog running={running} onAnswer={answerQuit} width={Math.min(columns, 80)} />
        ) : null}
        {/* The pane stays mounted under the overlays, so its keys are listed in help and its data keeps refreshing. */}
        <Box display={covered ? 'none' : 'flex'} flexDirection="column">
          <DetailHost width={columns} height={paneHeight}>
            <Pane width={columns} height={paneHeight} />
          </DetailHost>
        </Box>
      </Box>
      <StatusLine
        flash={flash}
        busy={
          quitting === 'wait'
            ? `quitting when ${plural(running, 'job')} end · ctrl+c forces`
            : quitting === 'cancel'
              ? `cancelling ${plural(running, 'job')}, then quitting · ctrl+c forces`
              : undefined
        }
        width={columns}
      />
      <KeyBar bindings={keymap.active()} width={columns} />
    </Box>
  );
}
