import { Command, CommanderError, Option } from 'commander';
import { EXIT } from './errors.js';
import { OPSCTL_VERSION } from './version.js';
import { lastSession } from './cli/action.js';
import { shareGlobalOptions } from './cli/globals.js';
import { REGISTRARS } from './cli/register/index.js';
import { createSession, loadForSession } from './cli/session.js';
import { reportError, usageErrorRecord, writeDiagnostic } from './cli/exit.js';
import { registerHelpAndVersion, unknownCommand } from './cli/builtins.js';
import { attachExamples } from './cli/examples.js';
import { registerCompletion } from './cli/completion.js';
import { suggestCommand } from './cli/tree.js';
import { usePrivateFileModes } from './util/private-files.js';

export function buildProgram(): Command {
  const program = new Command('opsctl')
    .description(
      'Operator console for a small data platform: pipelines, warehouse sync, BigQuery costs, migrations, backups, load tests and an on-call bot. Run bare on a terminal to open the console.',
    )
    .version(OPSCTL_VERSION, '-V, --version', 'print the version')
    .option('--json', 'print one JSON document on stdout (logs stay on stderr)')
    .option(
      '-c, --config <file>',
      'config file (default: ./opsctl.config.json, $OPSCTL_HOME/, $XDG_CONFIG_HOME/opsctl/, /etc/opsctl/)',
    )
    .option('--env-file <file>', 'read environment variables from this file (default: ./.env)')
    .addOption(new Option('--log-level <level>', 'debug, info, warn or error (overrides LOG_LEVEL)'))
    .option('-q, --quiet', 'only errors on stderr; no progress')
    .option('--no-color', 'no ANSI colours (NO_COLOR is honoured too)')
    .helpOption('-h, --help', 'show help')
    // On a pipe every stderr line is one JSON record, usage errors included (see usageErrorRecord).
    .showHelpAfterError(process.stderr.isTTY ? '(run with --help for usage)' : false)
    .configureOutput(process.stderr.isTTY ? {} : { outputError: (str, write) => write(usageErrorRecord(str)) })
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true })
    .exitOverride()
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 failed or threshold breached, 2 bad usage or config, 130 interrupted (Ctrl-C),
143 terminated (SIGTERM) before it finished. With stderr not a terminal, every stderr line is one JSON record.
Examples:
  opsctl demo                      build a demo workspace and run everything once
  opsctl status --json             what is up, for scripts
  opsctl config show               effective config and where each value came from`,
    );

  for (const register of REGISTRARS) register(program);
  registerHelpAndVersion(program);
  registerCompletion(program);

  program
    .command('console')
    .alias('ui')
    .description('Open the interactive console (the default when opsctl runs bare on a terminal)')
    .helpGroup('Overview:')
    .action(async (_opts, command: Command) => openConsole(command));

  // Bare `opsctl` opens the console; a word that names no command is a usage error, not the console's argument.
  // Set after the subcommands exist, so they keep refusing excess arguments (commander copies settings at creation).
  program.allowExcessArguments(true);
  program.action(async (_opts, command: Command) => {
    const [word] = command.args;
    if (word !== undefined) unknownCommand(command, word, suggestCommand(command, word));
    await openConsole(command);
  });
  attachExamples(program);
  shareGlobalOptions(program);
  return program;
}

let consoleExit: number | undefined;

async function openConsole(command: Command): Promise<void> {
  const session = createSession(command);
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    // Ink needs raw mode on a terminal; print the help so whoever reads stderr sees what to run instead (a log
    // collector gets one JSON record).
    const help = command.parent ? command.parent.helpInformation() : command.helpInformation();
    const msg = 'the console needs a terminal (stdin and stdout); use a subcommand in scripts';
    writeDiagnostic(
      session,
      { level: 'error', msg, code: 'USAGE', hint: '`opsctl --help` lists the commands' },
      `${help}\nerror: ${msg}.\n`,
    );
    consoleExit = EXIT.usage;
    return;
  }
  try {
    const loaded = loadForSession(session, 'normal');
    const { startConsole } = await import('../views/main.js');
    consoleExit = await startConsole({ loaded, logLevel: loaded.config.logLevel });
  } catch (error) {
    consoleExit = reportError(error, {
      json: false,
      stdout: session.stdout,
      stderr: session.stderr,
      colors: session.errColors,
      structured: session.structured,
      debug: false,
    });
  }
}

/** Runs the CLI and returns the exit code; bin/opsctl sets it. */
export async function main(argv: string[] = process.argv): Promise<number> {
  // Everything opsctl creates is private (dirs 0700, files 0600) whatever the operator's umask: see private-files.ts.
  usePrivateFileModes();
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      )
        return EXIT.ok;
      return EXIT.usage;
    }
    throw error;
  }
  return consoleExit ?? lastSession?.exitCode ?? EXIT.ok;
}
