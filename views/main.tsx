import { render } from 'ink';
import { run } from '../commands/catalog.js';
import { createRuntime, withInvocation } from '../commands/runtime.js';
import type { LoadedConfig } from '../src/config/load.js';
import { createLogger, type LogLevel } from '../src/log/logger.js';
import { App } from './App.js';
import { LogBuffer } from './services/log-buffer.js';
import type { ConsoleServices } from './services/services.js';

const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[H';
const LEAVE_ALT_SCREEN = '\x1b[?25h\x1b[?1049l';

/** Opens the console on the alternate screen and returns the exit code when the operator quits. */
export async function startConsole(options: { loaded: LoadedConfig; logLevel: LogLevel }): Promise<number> {
  const logs = new LogBuffer();
  const log = createLogger({ level: options.logLevel, sink: logs.push });
  const runtime = createRuntime({ loaded: options.loaded, log, trigger: 'tui' });
  const services: ConsoleServices = {
    loaded: options.loaded,
    logs,
    run: (name, input, opts = {}) =>
      run(
        name,
        withInvocation(runtime, {
          ...(opts.onProgress ? { progress: opts.onProgress } : {}),
          ...(opts.signal ? { signal: opts.signal } : {}),
        }),
        input,
      ),
  };

  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    process.stdout.write(LEAVE_ALT_SCREEN);
  };
  process.stdout.write(ENTER_ALT_SCREEN);
  process.once('exit', restore);
  const instance = render(<App services={services} />, { exitOnCtrlC: false });
  const onSignal = () => instance.unmount();
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);
  try {
    await instance.waitUntilExit();
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    restore();
    await runtime.close().catch(() => undefined);
  }
  return 0;
}
