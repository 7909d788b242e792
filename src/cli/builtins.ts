import type { Command } from 'commander';
import { versionInfo } from '../version.js';
import { writeJson } from './output.js';
import { commandPath, resolvePath } from './tree.js';

/**
 * The commands about opsctl itself rather than the platform: `help [command…]`, `version` and (in completion.ts)
 * `completion`. They read no config and open nothing.
 */
export function registerHelpAndVersion(program: Command): void {
  program
    .command('help')
    .description('Show help for opsctl or for a command (the same as <command> --help)')
    .argument('[command...]', 'a command path, e.g. etl run')
    .helpGroup('Setup:')
    .action((words: string[], _opts, command: Command) => {
      const root = command.parent ?? command;
      const found = resolvePath(root, words);
      if ('unknown' in found) unknownCommand(found.parent, found.unknown, found.suggestion);
      else found.command.outputHelp();
    });

  program
    .command('version')
    .description('Print the version, the build commit, the Node version and the platform (--json for scripts)')
    .helpGroup('Setup:')
    .action((_opts, command: Command) => {
      const info = versionInfo();
      if (command.optsWithGlobals<{ json?: boolean }>().json) writeJson((s) => process.stdout.write(s), info);
      else process.stdout.write(`opsctl ${info.version} (commit ${info.commit}) node ${info.node} ${info.platform}\n`);
    });
}

/**
 * Ends the run with commander's usage error (exit 2): `opsctl statsu` → "unknown command 'statsu'" and the closest
 * name, as commander already says for groups (`etl rnu`).
 */
export function unknownCommand(parent: Command, word: string, suggestion: string | undefined): never {
  const where = parent.parent ? ` for '${commandPath(parent)}'` : '';
  const hint = suggestion ? `\n(Did you mean ${suggestion}?)` : '';
  parent.error(`error: unknown command '${word}'${where}${hint}`, { code: 'commander.unknownCommand', exitCode: 2 });
}
