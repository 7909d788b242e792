import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { BusyError, ConnectionError } from '../errors.js';
import { lockHolder } from '../util/file-lock.js';

/** What a PGlite data directory says about itself on disk, read without booting PostgreSQL (no WASM). */
export interface PgliteDirectoryFacts {
  /** PG_VERSION: the PostgreSQL major release that initialised the cluster ("18"). */
  major: string;
  /** pg_control's format and catalog versions, and the cluster state it recorded last. */
  controlVersion: number;
  catalogVersion: number;
  state: string;
  /** Size in bytes of pg_control's checked part (its CRC-32C matched). */
  controlBytes: number;
}

const DB_STATES = [
  'starting up',
  'shut down',
  'shut down in recovery',
  'shutting down',
  'in crash recovery',
  'in archive recovery',
  'in production',
];

/**
 * Checks a PGlite data directory from its files: PG_VERSION names a major release, global/pg_control is readable and
 * its CRC-32C matches (the check PostgreSQL itself makes before it starts), no PostgreSQL server claims the directory
 * (postmaster.pid), and no live opsctl process holds its lock file (then BusyError, naming the holder). It does not
 * prove that this PGlite build can open the cluster (a catalog from another release, damaged relation files): opening
 * it does that, at the price of booting PostgreSQL in WASM (~1 s idle, several under load, ~300 MB).
 */
export function inspectPgliteDirectory(name: string, path: string): PgliteDirectoryFacts {
  const holder = lockHolder(`${path}.lock`);
  if (holder) {
    throw new BusyError(
      `target "${name}" (${path}) is in use by pid ${holder.pid} on ${holder.host} since ${holder.since}`,
      {
        hint: 'PGlite serves one process at a time; wait for that process to finish.',
      },
    );
  }
  const damaged = (what: string) =>
    new ConnectionError(`PGlite target "${name}" at ${path}: ${what}`, {
      hint: 'The data directory is not a complete PostgreSQL cluster; move it away to start afresh (opsctl migrate up recreates it).',
    });
  let major: string;
  try {
    major = readFileSync(join(path, 'PG_VERSION'), 'utf8').trim();
  } catch {
    throw damaged('PG_VERSION is missing or unreadable');
  }
  if (!/^\d+$/.test(major)) throw damaged(`PG_VERSION holds "${major.slice(0, 20)}", not a major release number`);
  if (existsSync(join(path, 'postmaster.pid'))) {
    throw new ConnectionError(`PGlite target "${name}" at ${path}: a PostgreSQL server claims it (postmaster.pid)`, {
      hint: 'Point the target at that server (engine postgres) or stop it before using the directory with PGlite.',
    });
  }
  const control = Buffer.alloc(8192);
  let read: number;
  try {
    const fd = openSync(join(path, 'global', 'pg_control'), 'r');
    try {
      read = readSync(fd, control, 0, control.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    throw damaged('global/pg_control is missing or unreadable');
  }
  const controlBytes = controlCrcOffset(control.subarray(0, read));
  if (controlBytes === undefined) throw damaged('global/pg_control fails its CRC check');
  const stateCode = control.readInt32LE(16);
  return {
    major,
    controlVersion: control.readUInt32LE(8),
    catalogVersion: control.readUInt32LE(12),
    state: DB_STATES[stateCode] ?? `state ${stateCode}`,
    controlBytes,
  };
}

/**
 * pg_control ends its data with a CRC-32C of everything before it; the offset depends on the release, so this finds
 * the 4-byte-aligned offset where the stored CRC matches the bytes before it (a false match is a 1 in 2^32 chance).
 */
function controlCrcOffset(bytes: Buffer): number | undefined {
  let crc = 0xffffffff;
  for (let i = 0; i + 4 <= Math.min(bytes.length, 1024); i++) {
    if (i >= 16 && i % 4 === 0 && (crc ^ 0xffffffff) >>> 0 === bytes.readUInt32LE(i)) return i;
    crc = CRC32C[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  }
  return undefined;
}

const CRC32C = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();
