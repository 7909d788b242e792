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

export interface VersionInfo {
  version: string;
  /** The git commit the build was made from (written by scripts/build-info.mjs at build time), or `unknown`. */
  commit: string;
  node: string;
  platform: string;
}

/** What `opsctl version` reports: enough for a bug report. */
export function versionInfo(): VersionInfo {
  let commit = 'unknown';
  // dist/src/version.js reads dist/build-info.json; src/version.ts (tests under tsx) reads dist/ as well.
  for (const rel of ['../build-info.json', '../dist/build-info.json']) {
    try {
      const info = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { commit?: unknown };
      if (typeof info.commit === 'string' && info.commit) {
        commit = info.commit;
        break;
      }
    } catch {
      /* no build info there */
    }
  }
  return {
    version: OPSCTL_VERSION,
    commit,
    node: process.versions.node,
    platform: `${process.platform}-${process.arch}`,
  };
}
