#!/usr/bin/env node
// npm pack ships npm-shrinkwrap.json so a global or prefix install gets the tree the lockfile pinned and the tests ran
// on (a package-lock.json is never published). prepack copies the lockfile; postpack (--remove) deletes the copy, so the
// repository keeps one lockfile.
import { copyFileSync, rmSync } from 'node:fs';

const lock = new URL('../package-lock.json', import.meta.url);
const shrinkwrap = new URL('../npm-shrinkwrap.json', import.meta.url);
if (process.argv.includes('--remove')) rmSync(shrinkwrap, { force: true });
else copyFileSync(lock, shrinkwrap);
