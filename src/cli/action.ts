import type { Command } from 'commander';
import type { Operation } from '../../commands/operation.js';
import type { LoadedConfig } from '../config/load.js';
import { ConfigError, ConfirmationRequired, UsageError } from '../errors.js';
import { reportError } from './exit.js';
import { createTextOut, writeJson, type TextOut } from './output.js';
import { createProgressReporter } from './progress.js';
import { canPrompt, confirmOnTerminal } from './prompt.js';
import { createSession, earlyLogLevel, loadForSession, loggerFor, triggerFromEnv, type CliSession } from './session.js';

type AnyOperation<R> = Operation<any, R>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface CommandSpec<R> {
  /** Lazy import of the operation, so `opsctl --help` and unrelated subcommands never load it. */
  operation: () => Promise<AnyOperation<R>>;
  /** Builds the operation's input from positional arguments and options. */
  input?: (args: string[], options: Record<string, unknown>) => Record<string, unknown>;
  /** Text rendering of the result; `--json` prints the result itself. */
  render?: (result: R, out: TextOut, options: Record<string, unknown>) => void;
  /** An exit code derived from a successful result (e.g. 1 when a check finds a breach). */
  exitCode?: (result: R) => number;
  /**
   * `isolated`: ignore config files and opsctl's variables except OPSCTL_HOME (the demo). `tolerant`: a config that
   * does not load is handed to the operation as `input.configError` and it runs on the embedded defaults (validate
   * reports it as a failed check instead of stopping).
   */
  config?: 'normal' | 'isolated' | 'tolerant';
  /** Prints a streamed piece of the result (`progress.item`) as soon as it arrives; text mode only. */
  renderItem?: (item: unknown, out: TextOut) => void;
  /** Runs after a successful operation in text and JSON mode alike (writes report files such as --junit). */
  after?: (result: R, options: Record<string, unknown>) => void | Promise<void>;
}

/** The session of the command being run, so src/cli.ts can return its exit code. */
export let lastSession: CliSession | undefined;

/** Turns a CommandSpec into a commander action: load config, run the operation, print, map errors to exit codes. */
export function action<R>(spec: CommandSpec<R>) {
  return async (...args: unknown[]) => {
    const command = args.at(-1) as Command;
    // With the parent's options too: `opsctl costs check --as-of X` hands --as-of to `costs`, which defines it as well.
    const options = command.optsWithGlobals();
    const positional = (args.slice(0, -2) as Array<string | string[] | undefined>).flatMap((a) =>
      a === undefined ? [] : a,
    );
    const session = createSession(command);
    lastSession = session;
    const controller = new AbortController();
    let interrupts = 0;
    const onSigint = () => {
      interrupts += 1;
      if (interrupts > 1) process.exit(130);
      session.stderr('\ninterrupting… (press Ctrl-C again to quit at once)\n');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    let runtime: { close(): Promise<void> } | undefined;
    let progress: ReturnType<typeof createProgressReporter> | undefined;
    try {
      const { loaded, configError } = loadTolerantly(session, spec.config ?? 'normal');
      const log = loggerFor(session, loaded.config.logLevel);
      progress = createProgressReporter({ stream: process.stderr, quiet: session.quiet || session.json, log });
      const { createRuntime } = await import('../../commands/runtime.js');
      const { invoke } = await import('../../commands/operation.js');
      const text = createTextOut(session.stdout, session.colors);
      const reporter = progress;
      const report: typeof reporter.report = (p) => {
        if (p.item !== undefined && spec.renderItem && !session.json) {
          reporter.clear();
          spec.renderItem(p.item, text);
        }
        reporter.report(p);
      };
      const ctx = createRuntime({
        loaded,
        log,
        trigger: triggerFromEnv(),
        signal: controller.signal,
        progress: report,
      });
      runtime = ctx;
      const operation = await spec.operation();
      const input: Record<string, unknown> = spec.input ? spec.input(positional, options) : {};
      if (configError) input.configError = configError;
      let result: R;
      try {
        result = await invoke(operation, ctx, input);
      } catch (error) {
        if (!(error instanceof ConfirmationRequired) || !canPrompt() || input.confirm === true) throw error;
        progress.clear();
        if (!(await confirmOnTerminal(error.action, error.typed))) {
          throw new UsageError('not confirmed: nothing was changed', {
            hint: 'Answer the prompt, or pass --yes in scripts.',
          });
        }
        result = await invoke(operation, ctx, { ...input, confirm: true });
      }
      progress.clear();
      await spec.after?.(result, options);
      if (session.json) writeJson(session.stdout, result);
      else if (spec.render) spec.render(result, text, options);
      session.exitCode = spec.exitCode?.(result) ?? 0;
    } catch (error) {
      progress?.clear();
      session.exitCode = reportError(error, {
        json: session.json,
        stdout: session.stdout,
        stderr: session.stderr,
        colors: session.errColors,
        debug: earlyLogLevel(session.globals) === 'debug',
      });
    } finally {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
      await runtime?.close().catch(() => undefined);
    }
  };
}

/** Loads the config; in `tolerant` mode a ConfigError becomes `configError` and the embedded defaults load instead. */
function loadTolerantly(
  session: CliSession,
  mode: 'normal' | 'isolated' | 'tolerant',
): { loaded: LoadedConfig; configError?: { message: string; hint?: string } } {
  if (mode !== 'tolerant') return { loaded: loadForSession(session, mode) };
  try {
    return { loaded: loadForSession(session, 'normal') };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const problems = (error.details?.problems as Array<{ path: string; message: string }> | undefined) ?? [];
    const message = problems.length
      ? `invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${problems.map((p) => `${p.path || '(root)'}: ${p.message}`).join('; ')}`
      : error.message.replace(/\n\s*/g, ' ');
    return {
      loaded: loadForSession(session, 'isolated'),
      configError: { message, ...(error.hint ? { hint: error.hint } : {}) },
    };
  }
}
