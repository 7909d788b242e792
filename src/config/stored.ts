import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dotted, getAt, setAt, type Path } from './paths.js';

/**
 * Values a login step stores in $OPSCTL_HOME instead of the environment, and the config paths they fill: one more
 * config source, below the environment and the config file (as ENV_BINDINGS names the variables). Config owns the
 * file names and the format; the capability that obtains the value (`opsctl spotify login`) writes through here, so
 * config loading depends on no capability. Only node:fs: every process loads this.
 */
export interface StoredBinding {
  path: Path;
  /** File name in $OPSCTL_HOME (mode 0600). */
  file: string;
  /** The field of the file's JSON object that holds the value. */
  field: string;
}

export const SPOTIFY_TOKEN_FILE = 'spotify-token.json';

export const STORED_BINDINGS: readonly StoredBinding[] = [
  { path: ['spotify', 'refreshToken'], file: SPOTIFY_TOKEN_FILE, field: 'refreshToken' },
];

export function storedFilePath(home: string, file: string): string {
  return join(home, file);
}

/** The stored object, or undefined when there is none (an unreadable or malformed file counts as none). */
export function readStoredFile(home: string, file: string): Record<string, unknown> | undefined {
  const path = storedFilePath(home, file);
  if (!existsSync(path)) return undefined;
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the object with mode 0600 (to a temporary file first, so a reader never sees half of it). */
export function writeStoredFile(home: string, file: string, value: Record<string, unknown>): string {
  mkdirSync(home, { recursive: true });
  const path = storedFilePath(home, file);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  return path;
}

/** Fills each path the environment and the config file left unset from its stored file, recording the source. */
export function applyStoredBindings(config: object, home: string, sources: Record<string, string>): void {
  for (const binding of STORED_BINDINGS) {
    if (getAt(config, binding.path)) continue;
    const value = readStoredFile(home, binding.file)?.[binding.field];
    if (typeof value !== 'string' || !value) continue;
    setAt(config as Record<string, unknown>, binding.path, value);
    sources[dotted(binding.path)] = `file:${storedFilePath(home, binding.file)}`;
  }
}
