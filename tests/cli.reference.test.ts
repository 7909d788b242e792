import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildProgram } from '../src/cli.js';
import { cliReference } from '../src/cli/docs.js';
import { EXAMPLES } from '../src/cli/examples.js';
import { findCommand, helpText, isLeaf, resolvePath, walkCommands } from '../src/cli/tree.js';
import { ROOT } from './helpers/cli.js';

const program = buildProgram();

/** The lines under each "Examples:" heading of a help text, up to the next blank line. */
function exampleLines(help: string): string[] {
  const out: string[] = [];
  for (const block of help.split(/^Examples:\n/m).slice(1)) {
    for (const line of block.split('\n')) {
      if (!line.trim()) break;
      out.push(line.trim());
    }
  }
  return out;
}

/** Shell-ish words of an example: quotes kept together, stops at a pipe, redirect, `&&` or comment. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"[^"]*"|'[^']*'|\S+/g)) {
    const w = m[0];
    if (w === '|' || w === '>' || w === '&&' || w === '#') break;
    out.push(w);
  }
  return out;
}

const GLOBALS_WITH_VALUE = new Set(['-c', '--config', '--env-file', '--log-level']);

/** The command an `opsctl …` example runs, and the words after the command's name. */
function parseExample(line: string): { command: Command; rest: string[] } | undefined {
  const w = words(line);
  while (w.length && /^[A-Z_]+=/.test(w[0]!)) w.shift();
  if (w.shift() !== 'opsctl') return undefined;
  let command: Command = program;
  const flags: string[] = [];
  while (w.length) {
    const word = w[0]!;
    if (GLOBALS_WITH_VALUE.has(word)) w.splice(0, 2);
    else if (word.startsWith('-')) flags.push(w.shift()!);
    else {
      const next = findCommand(command, word);
      if (!next) break;
      command = next;
      w.shift();
    }
  }
  return { command, rest: [...flags, ...w] };
}

function knowsOption(command: Command, flag: string): boolean {
  const name = flag.split('=')[0]!;
  for (let c: Command | null = command; c; c = c.parent) {
    if (c.options.some((o) => o.long === name || o.short === name)) return true;
    if (name === '--help' || name === '-h') return true;
  }
  return false;
}

const leaves = walkCommands(program).filter(({ command }) => isLeaf(command));

test('the tree has the leaf commands the README lists (the walk itself works)', () => {
  const paths = leaves.map(({ path }) => path.join(' '));
  for (const p of ['status', 'etl run', 'migrate repair', 'backup freshness', 'bot status', 'version', 'help'])
    assert.ok(paths.includes(p), p);
  assert.ok(leaves.length >= 42, `${leaves.length} leaves`);
});

test('every leaf command shows an example of itself in --help, and its options exist', () => {
  const missing: string[] = [];
  const badFlags: string[] = [];
  for (const { path, command } of leaves) {
    const own = exampleLines(helpText(command))
      .map((line) => ({ line, parsed: parseExample(line) }))
      .filter((e) => e.parsed?.command === command);
    if (own.length === 0) missing.push(path.join(' '));
    for (const { line, parsed } of own) {
      for (const w of parsed!.rest)
        if (/^--?[a-zA-Z]/.test(w) && !knowsOption(command, w)) badFlags.push(`${line}: ${w}`);
    }
  }
  assert.equal(missing, [], `leaf commands without an example: ${missing.join(', ')}`);
  assert.equal(badFlags, [], `examples with options the command does not have:\n${badFlags.join('\n')}`);
});

test('the checker fails on a command without an example and on an option that does not exist', () => {
  const bare = buildProgram();
  bare.command('zzz-no-example').description('x');
  const zzz = findCommand(bare, 'zzz-no-example')!;
  assert.equal(exampleLines(helpText(zzz)), []);
  assert.not.ok(knowsOption(findCommand(program, 'status')!, '--no-such-flag'));
  assert.ok(knowsOption(findCommand(program, 'status')!, '--json'), 'globals count');
});

test('every EXAMPLES entry names a command that exists (no stale entries)', () => {
  for (const key of Object.keys(EXAMPLES)) {
    const found = resolvePath(program, key.split(' '));
    assert.ok('command' in found, `EXAMPLES["${key}"] names no command`);
  }
});

test('docs/cli.md is generated from the command tree and up to date (npm run docs:cli)', () => {
  const checkedIn = readFileSync(join(ROOT, 'docs', 'cli.md'), 'utf8');
  const fresh = cliReference(buildProgram());
  if (checkedIn !== fresh) {
    const a = checkedIn.split('\n');
    const b = fresh.split('\n');
    const i = a.findIndex((line, n) => line !== b[n]);
    assert.unreachable(`docs/cli.md is out of date from line ${i + 1}: run \`npm run docs:cli\` and commit it`);
  }
  for (const { path } of leaves) assert.ok(fresh.includes(`## opsctl ${path.join(' ')}\n`), path.join(' '));
});

test.run();
