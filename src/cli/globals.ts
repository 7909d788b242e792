import { Option, type Command } from 'commander';

/**
 * opsctl's global options (--json, -c/--config, -q…) are accepted before and after the subcommand, yet a subcommand
 * may give one of their short flags its own meaning: after `loadtest run`, `-c` is the connection count, as in ab,
 * hey and autocannon. Commander's supported way is positional options: the program reads its own options only before
 * the subcommand (`enablePositionalOptions`), and each subcommand declares the globals it accepts after its name.
 * Here every subcommand gets hidden copies of the globals (without a short flag that it or a subcommand below it
 * uses), and a hook moves what the operator typed onto the program, where the rest of the CLI reads globals from.
 */

/** Which options of a command are copies of the program's, by attribute name. */
const copies = new WeakMap<Command, Set<string>>();

/** Call once every subcommand is registered. */
export function shareGlobalOptions(program: Command): void {
  program.enablePositionalOptions();
  const globals = program.options.filter((o) => o.long !== '--version' && o.long !== '--help');
  const visit = (command: Command) => {
    for (const sub of command.commands) {
      copyGlobals(sub, globals);
      visit(sub);
    }
  };
  visit(program);
  program.hook('preAction', (_program, actionCommand) => liftGlobals(program, actionCommand));
}

function copyGlobals(command: Command, globals: readonly Option[]): void {
  const taken = shortFlagsBelow(command);
  const names = new Set<string>();
  for (const global of globals) {
    if (!global.long || command.options.some((o) => o.long === global.long)) continue;
    const flags = global.short && taken.has(global.short) ? global.flags.replace(/^-\w,\s*/, '') : global.flags;
    command.addOption(new Option(flags, global.description).hideHelp());
    names.add(global.attributeName());
  }
  copies.set(command, names);
}

/** Short flags a command and its subcommands define: a copied global must not take one of them. */
function shortFlagsBelow(command: Command): Set<string> {
  const flags = new Set<string>();
  const visit = (c: Command) => {
    for (const o of c.options) if (o.short) flags.add(o.short);
    c.commands.forEach(visit);
  };
  visit(command);
  return flags;
}

/** What was typed after a subcommand's name counts as if typed before it: the program holds the globals. */
function liftGlobals(program: Command, actionCommand: Command): void {
  for (let command: Command | null = actionCommand; command && command !== program; command = command.parent) {
    for (const name of copies.get(command) ?? []) {
      if (command.getOptionValueSource(name) === 'cli')
        program.setOptionValueWithSource(name, command.getOptionValue(name), 'cli');
    }
  }
}
