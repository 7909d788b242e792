import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { invokedAs } from '../src/cli/invoked.js';
import { tempDir } from './helpers/tmp.js';

const root = tempDir();
const pkgBin = join(root, 'lib', 'node_modules', 'opsctl', 'bin');
mkdirSync(pkgBin, { recursive: true });
const launcher = join(pkgBin, 'opsctl');
writeFileSync(launcher, '#!/usr/bin/env node\n');
chmodSync(launcher, 0o755);
const prefixBin = join(root, 'bin');
mkdirSync(prefixBin);
symlinkSync(launcher, join(prefixBin, 'opsctl'));
const other = join(root, 'other');
mkdirSync(other);
writeFileSync(join(other, 'opsctl'), '#!/bin/sh\n');
chmodSync(join(other, 'opsctl'), 0o755);

test('under npx or an npm script the hint says npx opsctl', () => {
  assert.is(invokedAs({ npm_command: 'exec', PATH: prefixBin }, launcher, root), 'npx opsctl');
  assert.is(invokedAs({ npm_command: 'run-script', PATH: '' }, launcher, root), 'npx opsctl');
});

test('a global or prefix install (the opsctl on PATH is this launcher) says opsctl', () => {
  assert.is(invokedAs({ PATH: `/nonexistent:${prefixBin}` }, join(prefixBin, 'opsctl'), '/'), 'opsctl');
});

test('another opsctl first on PATH, or none: the launcher path, relative when below the directory', () => {
  assert.is(invokedAs({ PATH: `${other}:${prefixBin}` }, launcher, '/tmp/elsewhere-x'), launcher);
  assert.is(invokedAs({ PATH: '' }, launcher, join(root, 'lib', 'node_modules', 'opsctl')), 'bin/opsctl');
});

test.run();
