import type { Command } from 'commander';
import type { InputFor, OperationName, ResultFor } from '../../commands/catalog.js';
import type { LoadedConfig } from '../config/load.js';
import { ConfigError, ConfirmationRequired, EXIT, UsageError } from '../errors.js';
import { plural } from '../format.js';
import { reportError, writeDiagnostic, type StderrIo } from './exit.js';
import { createTextOut, writeJson, type TextOut } from './output.js';
import { createProgressReporter } from './progress.js';
import { canPrompt, confirmOnTerminal } from './prompt.js';
import {
  createSession,
  earlyLogLevel,
  loadForSession,
  loggerFor,
  traceConfig,
  triggerFromEnv,
  type CliSession,
} from './session.js';

/** A command's parsed options, its own and its parents' (commander's `optsWithGlobals`). */
export type Options = Record<string, unknown>;

/** A config that did not load, in `tolerant` mode: the operation gets it and runs on the embedded defaults. */
export interface ConfigProblem {
  message: string;
  hint?: string;
}

/**
 * One subcommand, by the name of the operation it runs: the input it builds, the result it renders and the exit code
 * it derives are typed from that name through the catalog, and the operation's module loads only when it runs, so
 * `opsctl --help` and unrelated subcommands never import it.
 */
export interface CommandSpec<N extends OperationName> {
  operation: N;
  /** Builds the operation's input from positional arguments and options (and the config problem in tolerant mode). */
  input: (args: string[], options: Options, context: { configError?: ConfigProblem }) => InputFor<N>;
  /** Text rendering of the result; `--json` prints the result itself. */
  render?: (result: ResultFor<N>, out: TextOut, options: Options) => void;
  /** An exit code derived from a successful result (e.g. 1 when a check finds a breach). */
  exitCode?: (result: ResultFor<N>) => number;
  /**
   * `isolated`: ignore config files and opsctl's variables except OPSCTL_HOME (the demo). `tolerant`: a config that
   * does not load is handed to `input` as `configError` and the operation runs on the embedded defaults (validate
   * reports it as a failed check instead of stopping). `optional`: no config file found is not an error (`config
   * show` says where it looked); every other mode but `isolated` stops with ConfigNotFound, exit 2.
   */
  config?: 'normal' | 'isolated' | 'tolerant' | 'optional';
  /** Prints a streamed piece of the result (`progress.item`) as soon as it arrives; text mode only. */
  renderItem?: (item: unknown, out: TextOut) => void;
  /**
   * A service that runs until it is told to stop (`bot start`): SIGTERM is its normal end, so a clean stop keeps the
   * operation's own exit code. Any other command stopped by SIGTERM exits 143, whatever it returns.
   */
  runsUntilSignal?: boolean;
  /** Runs after a successful operation in text and JSON mode alike (writes report files such as --junit). */
  after?: (result: ResultFor<N>, options: Options, io: StderrIo) => void | Promise<void>;
}

/** The session of the command being run, so src/cli.ts can return its exit code. */
export let lastSession: CliSession | undefined;

/** Turns a CommandSpec into a commander action: load config, run the operation, print, map errors to exit codes. */
export function action<N extends OperationName>(spec: CommandSpec<N>) {
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
    let terminated = false;
    const onSigint = () => {
      interrupts += 1;
      if (interrupts > 1) process.exit(EXIT.cancelled);
      writeDiagnostic(
        session,
        { level: 'warn', msg: 'interrupting', signal: 'SIGINT', hint: 'press Ctrl-C again to quit at once' },
        '\ninterrupting… (press Ctrl-C again to quit at once)\n',
      );
      controller.abort();
    };
    // systemd and `kill` stop with SIGTERM: nobody is at a keyboard, so no Ctrl-C advice; a second one quits at once.
    const onSigterm = () => {
      if (terminated) process.exit(EXIT.terminated);
      terminated = true;
      writeDiagnostic(session, { level: 'warn', msg: 'terminating', signal: 'SIGTERM' }, 'terminating (SIGTERM)…\n');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigterm);
    let runtime: { close(): Promise<void> } | undefined;
    let progress: ReturnType<typeof createProgressReporter> | undefined;
    try {
      const { loaded, configError } = loadTolerantly(session, spec.config ?? 'normal');
      const log = loggerFor(session, loaded.config.logLevel);
      traceConfig(log, loaded);
      progress = createProgressReporter({
        stream: process.stderr,
        quiet: session.quiet || session.json,
        log,
        line: session.line,
      });
      const { createRuntime } = await import('../../commands/runtime.js');
      const { run } = await import('../../commands/catalog.js');
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
      const input = spec.input(positional, options, configError ? { configError } : {});
      let result: ResultFor<N>;
      try {
        result = await run(spec.operation, ctx, input);
      } catch (error) {
        if (!(error instanceof ConfirmationRequired) || !canPrompt() || confirmed(input, error)) throw error;
        progress.clear();
        if (!(await confirmOnTerminal(error.action, error.typed))) {
          throw new UsageError('not confirmed: nothing was changed', {
            hint: error.typed
              ? `Type the target's name at the prompt, or pass --confirm-target ${error.typed} in scripts.`
              : 'Answer the prompt, or pass --yes in scripts.',
          });
        }
        // The typed name is the same check --confirm-target makes in scripts.
        result = await run(spec.operation, ctx, {
          ...input,
          confirm: true,
          ...(error.typed ? { confirmTarget: error.typed } : {}),
        });
      }
      progress.clear();
      await spec.after?.(result, options, session);
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
        structured: session.structured,
        debug: earlyLogLevel(session.globals) === 'debug',
      });
    } finally {
      // Stopped by SIGTERM: 128 + 15, as a shell reports a process the signal killed, so cron and CI never read a
      // cut-short run as done. A service (runsUntilSignal) that stopped cleanly keeps its own code.
      if (terminated && (!spec.runsUntilSignal || session.exitCode !== 0)) session.exitCode = EXIT.terminated;
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
      await runtime?.close().catch(() => undefined);
    }
  };
}

/** Loads the config; in `tolerant` mode a ConfigError becomes `configError` and the embedded defaults load instead. */
function loadTolerantly(
  session: CliSession,
  mode: 'normal' | 'isolated' | 'tolerant' | 'optional',
): { loaded: LoadedConfig; configError?: ConfigProblem } {
  if (mode !== 'tolerant') return { loaded: loadForSession(session, mode) };
  try {
    return { loaded: loadForSession(session, 'normal') };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const problems = (error.details?.problems as Array<{ path: string; message: string }> | undefined) ?? [];
    const message = problems.length
      ? `invalid configuration (${plural(problems.length, 'problem')}): ${problems.map((p) => `${p.path || '(root)'}: ${p.message}`).join('; ')}`
      : error.message.replace(/\n\s*/g, ' ');
    return {
      loaded: loadForSession(session, 'isolated'),
      configError: { message, ...(error.hint ? { hint: error.hint } : {}) },
    };
  }
}

/**
 * Whether the input already carries the confirmation the operation asked for, so a refusal is final: --yes, unless
 * the operation wants a production target's name typed (a terminal then asks for it even with --yes).
 */
function confirmed(input: unknown, error: ConfirmationRequired): boolean {
  if (typeof input !== 'object' || input === null) return false;
  if (error.typed !== undefined) return 'confirmTarget' in input && input.confirmTarget !== undefined;
  return 'confirm' in input && input.confirm === true;
}
