import { render } from 'ink';
import type { LoadedConfig } from '../src/config/load.js';
import type { LogLevel } from '../src/log/logger.js';
import { App, QUIT_GRACE_MS } from './App.js';
import { startEngine } from './services/engine.js';
import { JobStore } from './services/jobs.js';
import { LogBuffer } from './services/log-buffer.js';
import type { ConsoleServices } from './services/services.js';

const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[H';
const LEAVE_ALT_SCREEN = '\x1b[?25h\x1b[?1049l';

/** Opens the console on the alternate screen and returns the exit code when the operator quits. */
export async function startConsole(options: { loaded: LoadedConfig; logLevel: LogLevel }): Promise<number> {
  const logs = new LogBuffer();
  // Every operation (the jobs and the panes' loads) runs in the engine worker, never on the thread that reads keys.
  const engine = startEngine(
    { loaded: options.loaded, logLevel: options.logLevel, trigger: 'tui' },
    { onLog: logs.push },
  );
  const services: ConsoleServices = { loaded: options.loaded, logs, run: engine.run };

  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    process.stdout.write(LEAVE_ALT_SCREEN);
  };
  process.stdout.write(ENTER_ALT_SCREEN);
  process.once('exit', restore);
  const jobs = new JobStore(services);
  const instance = render(<App services={services} jobs={jobs} />, { exitOnCtrlC: false });
  const onSignal = () => instance.unmount();
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);
  try {
    await instance.waitUntilExit();
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    restore();
    // Whatever still runs (a forced quit, SIGTERM) is cancelled and given a bounded time to record itself cancelled;
    // then the engine closes its runtime and ends. A handle an operation leaked cannot keep the process alive past that.
    await jobs.cancelAll(QUIT_GRACE_MS);
    await engine.close(QUIT_GRACE_MS);
    setTimeout(() => process.exit(process.exitCode ?? 0), 1_000).unref();
  }
  return 0;
}
