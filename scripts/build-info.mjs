#!/usr/bin/env node
// Writes dist/build-info.json with the git commit the build was made from, for `opsctl version`. Outside a git
// checkout (a build from the packed tarball) the commit is "unknown"; a tree with uncommitted changes says "-dirty".
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const git = (...args) =>
  execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
let commit = 'unknown';
try {
  commit = git('rev-parse', '--short=12', 'HEAD');
  if (git('status', '--porcelain', '--untracked-files=no')) commit += '-dirty';
} catch {
  /* not a git checkout, or no git */
}
mkdirSync(new URL('../dist/', import.meta.url), { recursive: true });
writeFileSync(new URL('../dist/build-info.json', import.meta.url), `${JSON.stringify({ commit })}\n`);
