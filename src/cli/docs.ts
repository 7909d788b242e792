import type { Command } from 'commander';
import { helpText, isLeaf, walkCommands } from './tree.js';

/**
 * docs/cli.md: every command's `--help`, generated from the command tree (`npm run docs:cli`). tests/cli.docs.test.ts
 * regenerates it and fails when the checked-in file differs, so CI catches a reference that is out of date.
 */
export function cliReference(program: Command): string {
  const sections = [
    '# opsctl command reference',
    '',
    'Generated from the command tree by `npm run docs:cli`; do not edit by hand (a test fails when it is out of date).',
    'Every command also accepts the global options listed under `opsctl` (before or after the command name).',
    '',
    '## Commands',
    '',
    ...walkCommands(program).map(
      ({ path, command }) =>
        `${'  '.repeat(path.length - 1)}- [\`opsctl ${path.join(' ')}\`](#${anchor(path)})${isLeaf(command) ? '' : ' …'}`,
    ),
    '',
    '## opsctl',
    '',
    fence(helpText(program)),
  ];
  for (const { path, command } of walkCommands(program)) {
    sections.push('', `## opsctl ${path.join(' ')}`, '', fence(withoutGlobalOptions(helpText(command))));
  }
  return `${sections.join('\n')}\n`;
}

function anchor(path: string[]): string {
  return `opsctl-${path.join('-')}`;
}

function fence(text: string): string {
  return `\`\`\`text\n${text.replace(/\s+$/, '')}\n\`\`\``;
}

/** Below the top level the global options are the same everywhere; the reference lists them once. */
function withoutGlobalOptions(text: string): string {
  return text.replace(/\nGlobal Options:\n[\s\S]*?(?:\n\n|$)/, '\n');
}
