import type { InputFor, OperationName, ResultFor } from '../../commands/catalog.js';
import type { OperationContext, Progress } from '../../commands/operation.js';
import type { Logger } from '../log/logger.js';

/**
 * How the bot runs an operation: by its name in the catalog, so the input and the result follow from the name. The
 * default is the catalog's `run`; tests overlay fakes by name.
 */
export type OperationRunner = <N extends OperationName>(
  name: N,
  ctx: OperationContext,
  input: InputFor<N>,
) => Promise<ResultFor<N>>;

/** The catalog, imported on first use: starting the bot's health server loads no operation module. */
export const catalogRunner: OperationRunner = async (name, ctx, input) => {
  const { run } = await import('../../commands/catalog.js');
  return run(name, ctx, input);
};

/** A stand-in for operation `N`: answers its input with a result of the real operation's type, or throws. */
export type OperationFake<N extends OperationName> = (
  input: InputFor<N>,
  ctx: OperationContext,
) => ResultFor<N> | Promise<ResultFor<N>>;

export type OperationFakes = { [N in OperationName]?: OperationFake<N> };

/** `fakes` answer the operations they name; every other name goes to `base`. */
export function overlayRunner(fakes: OperationFakes, base: OperationRunner = catalogRunner): OperationRunner {
  return async (name, ctx, input) => {
    const fake = fakes[name];
    return fake ? fake(input, ctx) : base(name, ctx, input);
  };
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
