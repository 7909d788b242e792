import { readFileSync } from 'node:fs';

/** Read once from package.json, which sits two folders above both src/version.ts and dist/src/version.js. */
function readVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'opsctl' && pkg.version) return pkg.version;
    } catch {
      /* try the next location */
    }
  }
  return '0.0.0';
}

export const OPSCTL_VERSION = readVersion();
