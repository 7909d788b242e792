import { render } from 'ink-testing-library';
import type { InputFor, OperationName, ResultFor } from '../../commands/catalog.js';
import type { LoadedConfig } from '../../src/config/load.js';
import { loadConfig } from '../../src/config/load.js';
import { Redactor } from '../../src/log/redact.js';
import { App } from '../../views/App.js';
import type { PaneDefinition } from '../../views/panes/types.js';
import { LogBuffer } from '../../views/services/log-buffer.js';
import type { ConsoleServices, InvokeOptions } from '../../views/services/services.js';
import { tempDir } from './tmp.js';

export const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));

/** Waits until the frame satisfies `predicate` (Ink renders asynchronously). */
export async function waitFor(
  frame: () => string | undefined,
  predicate: (f: string) => boolean,
  timeoutMs = 3000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const f = frame() ?? '';
    if (predicate(f)) return f;
    if (Date.now() > deadline) throw new Error(`frame never matched; last frame:\n${f}`);
    await tick(20);
  }
}

export type Handler = (input: Record<string, unknown>, options: InvokeOptions) => unknown | Promise<unknown>;

/** Services whose operations are answered by name; an operation with no handler fails loudly. */
export function fakeServices(
  handlers: Record<string, Handler>,
  loaded?: LoadedConfig,
): ConsoleServices & { calls: Array<{ name: string; input: Record<string, unknown> }> } {
  const calls: Array<{ name: string; input: Record<string, unknown> }> = [];
  return {
    loaded: loaded ?? loadConfig({ cwd: tempDir(), env: {}, redactor: new Redactor() }),
    logs: new LogBuffer(),
    calls,
    async run<N extends OperationName>(name: N, input: InputFor<N>, options: InvokeOptions = {}) {
      const record = input as Record<string, unknown>;
      calls.push({ name, input: record });
      const handler = handlers[name];
      if (!handler) throw new Error(`no fake for ${name}`);
      // A fake answers with whatever its test built; the test types that value with ResultFor<…> where it builds it.
      return (await handler(record, options)) as ResultFor<N>;
    },
  };
}

export function renderConsole(
  services: ConsoleServices,
  options: { panes?: PaneDefinition[]; initialPane?: string } = {},
) {
  return render(<App services={services} {...options} />);
}
