import type { Operation, OperationContext, Progress } from '../../commands/operation.js';
import type { Logger } from '../log/logger.js';

/**
 * How the bot finds an operation: by its dotted name, `undefined` when this build of opsctl does not have it. The
 * default resolves through the operation catalog; tests (and the demo) overlay fakes by name.
 */
export type OperationResolver = (name: string) => Promise<Operation | undefined>;

export const catalogResolver: OperationResolver = async (name) => {
  const { isOperationName, loadOperation } = await import('../../commands/catalog.js');
  return isOperationName(name) ? ((await loadOperation(name)) as Operation) : undefined;
};

/** `operations` answer first (by name); anything else goes to `base`. */
export function overlayResolver(
  operations: Record<string, Operation>,
  base: OperationResolver = catalogResolver,
): OperationResolver {
  return async (name) => operations[name] ?? base(name);
}

/** The context an operation runs in when the bot starts it: the bot's runtime with trigger `bot` and the bot's cancellation. */
export function botRuntime(
  base: OperationContext,
  options: { signal: AbortSignal; log?: Logger; progress?: (p: Progress) => void },
): OperationContext {
  return {
    ...base,
    trigger: 'bot',
    signal: options.signal,
    log: options.log ?? base.log,
    progress: options.progress ?? (() => undefined),
    state: base.state,
  };
}
