import { chmodSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * opsctl's files are private to the user running it: OPSCTL_HOME holds the state store (with quarantined payloads),
 * the warehouse, PGlite data directories, tokens and backups.
 *
 * How: the process umask is 077 from start-up, so every directory opsctl (or a library it runs in-process) creates
 * is 0700 and every file 0600, whatever the operator's umask. A chmod after the fact is not enough on its own:
 * PGlite, DuckDB and SQLite create files for as long as the process runs (WAL segments, relation files, journals),
 * each readable by others from its creation until a later chmod. PGlite is the exception the umask does not cover:
 * its file system layer creates files with an explicit 0666 chmod, so src/db/pglite.ts walks its data directory
 * after opening and after closing it (files PGlite adds in between are 0666 until then). The cost: files opsctl writes outside its home
 * (--junit reports, `migrate create` files) are 0600 too; `chmod` them if others must read them.
 */
export const PRIVATE_UMASK = 0o077;

export function usePrivateFileModes(): void {
  process.umask(PRIVATE_UMASK);
}

/**
 * Tightens a tree made before opsctl set its umask (a home from an older opsctl): directories 0700, files 0600.
 * Unless `always`, only runs when the top directory itself is open to others, so a home that is already private
 * costs one stat. Symbolic links are left alone (their target may be anything).
 */
export function tightenTree(dir: string, options: { always?: boolean } = {}): number {
  let fixed = 0;
  let top;
  try {
    top = lstatSync(dir);
  } catch {
    return 0;
  }
  if (!top.isDirectory() || (!options.always && (top.mode & 0o077) === 0)) return 0;
  const visit = (path: string, isDir: boolean): void => {
    const stat = lstatSync(path);
    // Group and other lose every bit; the owner keeps an executable file executable.
    const want = isDir ? 0o700 : 0o600 | (stat.mode & 0o100);
    if ((stat.mode & 0o777) !== want) {
      chmodSync(path, want);
      fixed += 1;
    }
    if (!isDir) return;
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (entry.isSymbolicLink()) continue;
      visit(join(path, entry.name), entry.isDirectory());
    }
  };
  visit(dir, true);
  return fixed;
}
