import { Command, type Option } from 'commander';
import { loadConfig } from '../config/load.js';
import { commandPath, isHidden, walkCommands } from './tree.js';

/**
 * `opsctl completion bash|zsh|fish`: a completion script generated from the command tree (subcommands, options, the
 * choices of options that have them), plus names from the config where that is cheap: the script asks
 * `opsctl __complete <kind>`, which reads the config file and opens nothing.
 */

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** Names the config can list without opening anything. */
export const NAME_KINDS = ['pipelines', 'targets', 'tables', 'profiles'] as const;
export type NameKind = (typeof NAME_KINDS)[number];

/** Which positional argument (`arg`) or option takes names of which kind, by command path. */
const DYNAMIC: Record<string, NameKind> = {
  'opsctl status --target': 'targets',
  'opsctl etl run': 'pipelines',
  'opsctl etl history --pipeline': 'pipelines',
  'opsctl sync run --table': 'tables',
  'opsctl sync status': 'tables',
  'opsctl watermarks get': 'tables',
  'opsctl watermarks set': 'tables',
  'opsctl watermarks reset': 'tables',
  'opsctl migrate status': 'targets',
  'opsctl migrate up': 'targets',
  'opsctl migrate down': 'targets',
  'opsctl migrate validate': 'targets',
  'opsctl migrate create': 'targets',
  'opsctl migrate baseline': 'targets',
  'opsctl migrate repair': 'targets',
  'opsctl backup create': 'targets',
  'opsctl backup list': 'targets',
  'opsctl backup verify': 'targets',
  'opsctl backup restore': 'targets',
  'opsctl backup restore --to': 'targets',
  'opsctl backup prune': 'targets',
  'opsctl backup freshness': 'targets',
  'opsctl loadtest run --profile': 'profiles',
  'opsctl loadtest history --profile': 'profiles',
};

/** Static values: option choices, and the few arguments whose values are fixed. */
const STATIC: Record<string, string[]> = {
  'opsctl completion': [...SHELLS],
  'opsctl --log-level': ['debug', 'info', 'warn', 'error'],
};

interface Node {
  path: string;
  subs: string[];
  /** Every option accepted here: its own and the globals, long and short. */
  options: string[];
  /** Options that take a value (their value is skipped when finding the command path). */
  valued: string[];
  /** `path` for positional arguments, `path --opt` for an option's value: a word list, or `@kind` for config names. */
  values: Record<string, string>;
}

export function completionTree(program: Command): Node[] {
  const globals = program.options.filter((o) => o.long !== '--version');
  const nodes: Node[] = [];
  const add = (command: Command) => {
    const path = commandPath(command);
    const own = command === program ? globals : [...command.options.filter((o) => !o.hidden), ...globals];
    const options = unique([...own.flatMap(flagsOf), '--help', '-h']);
    const valued = unique(own.filter(takesValue).flatMap(flagsOf));
    const values: Record<string, string> = {};
    for (const option of own) {
      const key = `${path} ${option.long}`;
      const words = option.argChoices ?? STATIC[key] ?? STATIC[`opsctl ${option.long}`];
      const kind = DYNAMIC[key];
      const value = kind ? `@${kind}` : words?.join(' ');
      if (value && takesValue(option)) for (const flag of flagsOf(option)) values[`${path} ${flag}`] = value;
    }
    const positional = DYNAMIC[path] ? `@${DYNAMIC[path]}` : STATIC[path]?.join(' ');
    if (positional) values[path] = positional;
    const subs = command.commands.filter((c) => !isHidden(c)).flatMap((c) => [c.name(), ...c.aliases()]);
    nodes.push({ path, subs, options, valued, values });
  };
  add(program);
  for (const { command } of walkCommands(program)) if (!isHidden(command)) add(command);
  return nodes;
}

function flagsOf(option: Option): string[] {
  return [option.long, option.short].filter((f): f is string => Boolean(f));
}

function takesValue(option: Option): boolean {
  return option.required || option.optional;
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

export function completionScript(program: Command, shell: Shell): string {
  const nodes = completionTree(program);
  if (shell === 'bash') return bashScript(nodes);
  if (shell === 'zsh') return zshScript(nodes);
  return fishScript(nodes);
}

/** Single-quoted for bash, zsh and fish alike (no word in the tree holds a quote; refuse one rather than mangle it). */
function q(text: string): string {
  if (text.includes("'")) throw new Error(`completion: a quote in ${JSON.stringify(text)}`);
  return `'${text}'`;
}

function assocLines(nodes: Node[], name: string, pick: (n: Node) => Array<[string, string]>): string {
  const pairs = nodes.flatMap(pick).filter(([, v]) => v !== '');
  return `${name}=(\n${pairs.map(([k, v]) => `  [${q(k)}]=${q(v)}`).join('\n')}\n)`;
}

function tables(nodes: Node[], prefix: string): string {
  return [
    assocLines(nodes, `${prefix}_subs`, (n) => [[n.path, n.subs.join(' ')]]),
    assocLines(nodes, `${prefix}_opts`, (n) => [[n.path, n.options.join(' ')]]),
    assocLines(nodes, `${prefix}_valued`, (n) => [[n.path, n.valued.join(' ')]]),
    assocLines(nodes, `${prefix}_values`, (n) => Object.entries(n.values)),
  ].join('\n');
}

const HEADER = (shell: Shell, install: string) =>
  `# opsctl completion for ${shell}, generated from the command tree by \`opsctl completion ${shell}\`.
# Install: ${install}
# Names of pipelines, targets, tables and load-test profiles come from \`opsctl __complete <kind>\` (reads the config).
`;

export const INSTALL: Record<Shell, string> = {
  bash: 'opsctl completion bash > ~/.local/share/bash-completion/completions/opsctl   (or: source <(opsctl completion bash))',
  zsh: 'opsctl completion zsh > "${fpath[1]}/_opsctl" then start a new shell   (or: source <(opsctl completion zsh))',
  fish: 'opsctl completion fish > ~/.config/fish/completions/opsctl.fish',
};

/**
 * The completion function bash and zsh share: find the command path in the words typed so far (skipping options and
 * their values), then offer an option's values, the options, the subcommands or the positional values there.
 */
function posixFunction(shell: { words: string; current: string; first: number; files: string; add: string }): string {
  const { words, current } = shell;
  return `_opsctl() {
  local cur=\${${words}[${current}]} prev=\${${words}[${current}-1]} cmdpath=opsctl w i skip=0 list
  for ((i = ${shell.first}; i < ${current}; i++)); do
    w=\${${words}[i]}
    if ((skip)); then skip=0; continue; fi
    if [[ $w == -* ]]; then
      [[ " \${_opsctl_valued[$cmdpath]} " == *" $w "* ]] && skip=1
      continue
    fi
    [[ " \${_opsctl_subs[$cmdpath]} " == *" $w "* ]] && cmdpath="$cmdpath $w"
  done
  if [[ $prev == -* && " \${_opsctl_valued[$cmdpath]} " == *" $prev "* ]]; then
    list=\${_opsctl_values[$cmdpath $prev]}
    if [[ -z $list ]]; then ${shell.files}; return; fi
  elif [[ $cur == -* ]]; then
    list=\${_opsctl_opts[$cmdpath]}
  elif [[ -n \${_opsctl_subs[$cmdpath]} ]]; then
    list=\${_opsctl_subs[$cmdpath]}
  else
    list=\${_opsctl_values[$cmdpath]}
    if [[ -z $list ]]; then ${shell.files}; return; fi
  fi
  if [[ $list == @* ]]; then list=$(opsctl __complete "\${list#@}" 2>/dev/null); fi
  ${shell.add}
}`;
}

function bashScript(nodes: Node[]): string {
  const fn = posixFunction({
    words: 'COMP_WORDS',
    current: 'COMP_CWORD',
    first: 1,
    files: 'COMPREPLY=($(compgen -f -- "$cur"))',
    add: 'COMPREPLY=($(compgen -W "$list" -- "$cur"))',
  });
  return `${HEADER('bash', INSTALL.bash)}
declare -gA _opsctl_subs _opsctl_opts _opsctl_valued _opsctl_values
${tables(nodes, '_opsctl')}

${fn}
complete -F _opsctl opsctl
`;
}

function zshScript(nodes: Node[]): string {
  const fn = posixFunction({
    words: 'words',
    current: 'CURRENT',
    first: 2,
    files: '_files',
    add: 'compadd -- ${=list}',
  });
  return `#compdef opsctl
${HEADER('zsh', INSTALL.zsh)}
typeset -gA _opsctl_subs _opsctl_opts _opsctl_valued _opsctl_values
${tables(nodes, '_opsctl')}

${fn}

if [[ \${funcstack[1]} == _opsctl ]]; then _opsctl "$@"; else compdef _opsctl opsctl; fi
`;
}

function fishScript(nodes: Node[]): string {
  const cases = (pick: (n: Node) => string) =>
    nodes
      .filter((n) => pick(n) !== '')
      .map((n) => `    case ${q(n.path)}\n      echo ${pick(n)}`)
      .join('\n');
  const lines: string[] = [];
  for (const n of nodes) {
    const at = `-n ${q(`__opsctl_at ${q(n.path).replace(/'/g, '"')}`)}`;
    if (n.subs.length) lines.push(`complete -c opsctl -f ${at} -a ${q(n.subs.join(' '))}`);
    for (const flag of n.options.filter((f) => f.startsWith('--'))) {
      const value = n.values[`${n.path} ${flag}`];
      const valued = n.valued.includes(flag);
      const args = !valued ? '' : value === undefined ? ' -r -F' : ` -r -f -a ${q(fishValues(value))}`;
      lines.push(`complete -c opsctl ${at} -l ${flag.slice(2)}${args}`);
    }
    const positional = n.values[n.path];
    if (positional) lines.push(`complete -c opsctl -f ${at} -a ${q(fishValues(positional))}`);
  }
  return `${HEADER('fish', INSTALL.fish)}
function __opsctl_subs
  switch $argv[1]
${cases((n) => n.subs.join(' '))}
  end
end

function __opsctl_valued
  switch $argv[1]
${cases((n) => n.valued.join(' '))}
  end
end

# The command path the words typed so far lead to (options and their values skipped).
function __opsctl_path
  set -l cmdpath opsctl
  set -l skip 0
  for w in (commandline -opc)[2..-1]
    if test $skip = 1
      set skip 0
      continue
    end
    if string match -q -- '-*' $w
      contains -- $w (string split ' ' -- (__opsctl_valued "$cmdpath")); and set skip 1
      continue
    end
    contains -- $w (string split ' ' -- (__opsctl_subs "$cmdpath")); and set cmdpath "$cmdpath $w"
  end
  echo $cmdpath
end

function __opsctl_at
  test (__opsctl_path) = "$argv[1]"
end

${lines.join('\n')}
`;
}

function fishValues(value: string): string {
  return value.startsWith('@') ? `(opsctl __complete ${value.slice(1)} 2>/dev/null)` : value;
}

/** The names `opsctl __complete <kind>` prints, one a line, from the config as it loads (nothing is opened). */
export function configNames(kind: NameKind, configPath?: string): string[] {
  const { config } = loadConfig(configPath ? { configPath } : {});
  switch (kind) {
    case 'pipelines':
      return Object.keys(config.pipelines);
    case 'targets':
      return Object.keys(config.targets);
    case 'profiles':
      return Object.keys(config.loadtest.profiles);
    case 'tables':
      return Object.values(config.pipelines).flatMap((p) => (p.kind === 'sync' ? Object.keys(p.tables) : []));
  }
}

export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .description('Print a shell completion script (bash, zsh or fish) generated from the command tree')
    .argument('<shell>', SHELLS.join(', '))
    .helpGroup('Setup:')
    .addHelpText(
      'after',
      `
Completes commands, options, option choices, and the names of pipelines, targets, sync tables and load-test profiles
from the config (the script runs \`opsctl __complete <kind>\`, which reads the config and opens nothing).
Install:
  bash  ${INSTALL.bash}
  zsh   ${INSTALL.zsh}
  fish  ${INSTALL.fish}`,
    )
    .action((shell: string, _opts, command: Command) => {
      if (!(SHELLS as readonly string[]).includes(shell)) {
        command.error(`error: unknown shell '${shell}': use ${SHELLS.join(', ')}`, {
          code: 'opsctl.unknownShell',
          exitCode: 2,
        });
      }
      process.stdout.write(completionScript(program, shell as Shell));
    });

  // Hidden: what the completion scripts call. Silent and exit 0 with no output when the config does not load.
  program.addCommand(
    new Command('__complete').argument('<kind>').action((kind: string, _opts, command: Command) => {
      if (!(NAME_KINDS as readonly string[]).includes(kind))
        command.error(`error: unknown kind '${kind}': use ${NAME_KINDS.join(', ')}`, { exitCode: 2 });
      const config = command.optsWithGlobals<{ config?: string }>().config;
      let names: string[] = [];
      try {
        names = configNames(kind as NameKind, config);
      } catch {
        names = [];
      }
      if (names.length) process.stdout.write(`${names.join('\n')}\n`);
    }),
    { hidden: true },
  );
}
