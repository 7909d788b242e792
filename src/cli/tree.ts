import type { Command } from 'commander';

/**
 * The command tree as data: the help command, unknown-command suggestions, shell completion, the examples test and
 * docs/cli.md all walk the same commander tree, so none of them can drift from what the CLI accepts.
 */

/** Every command below `root` (depth first, in registration order) with its path of names from the root. */
export function walkCommands(root: Command): Array<{ path: string[]; command: Command }> {
  const out: Array<{ path: string[]; command: Command }> = [];
  const visit = (command: Command, path: string[]) => {
    for (const sub of command.commands) {
      if (isHidden(sub)) continue;
      const subPath = [...path, sub.name()];
      out.push({ path: subPath, command: sub });
      visit(sub, subPath);
    }
  };
  visit(root, []);
  return out;
}

/** Commands for the machinery (`__complete`, which the completion scripts call) stay out of help, docs and completion. */
export function isHidden(command: Command): boolean {
  return command.name().startsWith('__');
}

/** A leaf runs something; a group only holds subcommands. */
export function isLeaf(command: Command): boolean {
  return command.commands.length === 0;
}

export function findCommand(parent: Command, name: string): Command | undefined {
  return parent.commands.find((c) => c.name() === name || c.aliases().includes(name));
}

export type Resolved = { command: Command } | { unknown: string; parent: Command; suggestion: string | undefined };

/** Follows `words` down the tree (`['etl', 'run']`); the first word that names no subcommand is reported. */
export function resolvePath(root: Command, words: string[]): Resolved {
  let current = root;
  for (const word of words) {
    const next = findCommand(current, word);
    if (!next) return { unknown: word, parent: current, suggestion: suggestCommand(current, word) };
    current = next;
  }
  return { command: current };
}

/** The closest visible subcommand name (or alias) to a mistyped word, as commander does for groups. */
export function suggestCommand(parent: Command, word: string): string | undefined {
  const names = parent.commands.flatMap((c) => [c.name(), ...c.aliases()]);
  return suggest(word, names);
}

/** The best candidate within an edit distance of a third of the word (at least 1, at most 3), or none. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word, candidate);
    if (d <= limit && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best) return best;
  // A word that starts a longer name ("mig" for migrate) is a suggestion too, when only one name fits.
  const prefixed = candidates.filter((c) => word.length >= 2 && c.startsWith(word));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps ("statsu"). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** `opsctl etl run` for a command, from its parents' names. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * A command's help exactly as `--help` prints it (text added with addHelpText included), at a fixed width and without
 * colour, for docs/cli.md and the tests.
 */
export function helpText(command: Command, width = 100): string {
  let text = '';
  const saved = command.configureOutput();
  command.configureOutput({
    ...saved,
    writeOut: (s) => (text += s),
    getOutHelpWidth: () => width,
    getOutHasColors: () => false,
  });
  try {
    command.outputHelp();
  } finally {
    command.configureOutput(saved);
  }
  return text;
}
