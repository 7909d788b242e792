#!/usr/bin/env node
// `npm run bench [name...]`: runs bench/<name>.bench.mjs (all of them by default), one after the other. Each prints its
// own ratio against a reference measured in the same run.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);
const all = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.mjs'))
  .sort();
const chosen = wanted.length ? all.filter((f) => wanted.some((w) => f.startsWith(w))) : all;
if (chosen.length === 0) {
  console.error(
    `no benchmark matches ${wanted.join(', ')}; have: ${all.map((f) => f.replace('.bench.mjs', '')).join(', ')}`,
  );
  process.exit(2);
}
let failed = 0;
for (const file of chosen) {
  console.log(`\n== ${file.replace('.bench.mjs', '')}`);
  const r = spawnSync(process.execPath, [`${dir}${file}`], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
