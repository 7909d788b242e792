#!/usr/bin/env node
// Writes docs/cli.md from the built command tree (run `npm run build` first; `npm run docs:cli` does both).
import { mkdirSync, writeFileSync } from 'node:fs';
import { buildProgram } from '../dist/src/cli.js';
import { cliReference } from '../dist/src/cli/docs.js';

mkdirSync(new URL('../docs/', import.meta.url), { recursive: true });
writeFileSync(new URL('../docs/cli.md', import.meta.url), cliReference(buildProgram()));
process.stdout.write('docs/cli.md written\n');
