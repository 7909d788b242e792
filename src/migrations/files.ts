import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../db/target.js';
import { UsageError } from '../errors.js';
import type { MigrationFile, MigrationSection } from './types.js';

/** `<version>_<name>.sql`: digits, an underscore, then a lowercase name. */
export const FILE_PATTERN = /^(\d+)_([a-z0-9][a-z0-9_]*)\.sql$/;
const MARKER = /^--\s*migrate:(up|down)\b(.*)$/;

export function checksumOf(text: string): string {
  return createHash('sha256').update(text.replace(/\r\n/g, '\n'), 'utf8').digest('hex');
}

/** Compares versions as numbers (`9` < `10`, `001` = `1` is rejected on read as a duplicate). */
export function compareVersions(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Parses one migration file's text (dbmate's format: `-- migrate:up`, `-- migrate:down`). */
export function parseMigration(
  text: string,
  engine: Engine,
  where: string,
): { up: MigrationSection; down: MigrationSection | undefined } {
  const sections: Record<string, { options: string; lines: string[] }> = {};
  let current: string | undefined;
  for (const line of text.replace(/\r\n/g, '\n').split('\n')) {
    const m = MARKER.exec(line.trim());
    if (m) {
      const dir = m[1]!;
      if (sections[dir])
        throw new UsageError(`${where}: "-- migrate:${dir}" appears twice`, {
          hint: 'One up and at most one down section per file.',
        });
      sections[dir] = { options: m[2]!.trim(), lines: [] };
      current = dir;
      continue;
    }
    if (current) sections[current]!.lines.push(line);
    else if (line.trim() && !line.trim().startsWith('--')) {
      throw new UsageError(`${where}: SQL before "-- migrate:up"`, {
        hint: 'Start the file with a "-- migrate:up" line.',
      });
    }
  }
  if (!sections.up)
    throw new UsageError(`${where} has no "-- migrate:up" section`, {
      hint: 'Each file needs "-- migrate:up" and, for rollback, "-- migrate:down".',
    });
  const section = (s: { options: string; lines: string[] }, dir: string): MigrationSection => {
    const options = parseOptions(s.options, `${where} (migrate:${dir})`);
    return { transaction: options.transaction ?? true, statements: splitStatements(s.lines.join('\n'), engine) };
  };
  const up = section(sections.up, 'up');
  return { up, down: sections.down ? section(sections.down, 'down') : undefined };
}

function parseOptions(text: string, where: string): { transaction?: boolean } {
  const out: { transaction?: boolean } = {};
  for (const part of text.split(/\s+/).filter(Boolean)) {
    const [k, v] = part.split(':');
    if (k === 'transaction' && (v === 'true' || v === 'false')) out.transaction = v === 'true';
    else
      throw new UsageError(`${where}: unknown option "${part}"`, {
        hint: 'The only option is transaction:false (for CREATE INDEX CONCURRENTLY and the like).',
      });
  }
  return out;
}

/**
 * Splits SQL into statements on `;`, leaving semicolons inside quotes, identifiers, comments and PostgreSQL
 * dollar-quoted bodies alone. Comment-only pieces are dropped. MySQL's `DELIMITER` is not supported.
 */
export function splitStatements(sql: string, engine: Engine): string[] {
  const out: string[] = [];
  const mysql = engine === 'mysql';
  let start = 0;
  let i = 0;
  const n = sql.length;
  const push = (end: number) => {
    const piece = sql.slice(start, end).trim();
    if (stripComments(piece, mysql).trim()) out.push(piece);
  };
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      i = lineEnd(sql, i);
    } else if (c === '#' && mysql) {
      i = lineEnd(sql, i);
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      i = quoteEnd(sql, i, c, mysql);
    } else if (c === '$' && !mysql) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? '')) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        i = end < 0 ? n : end + tag[0].length;
      } else i += 1;
    } else if (c === ';') {
      push(i);
      i += 1;
      start = i;
    } else i += 1;
  }
  push(n);
  return out;
}

function lineEnd(sql: string, i: number): number {
  const end = sql.indexOf('\n', i);
  return end < 0 ? sql.length : end + 1;
}

function quoteEnd(sql: string, i: number, q: string, backslash: boolean): number {
  let j = i + 1;
  while (j < sql.length) {
    const c = sql[j]!;
    if (backslash && c === '\\' && q !== '`') j += 2;
    else if (c === q && sql[j + 1] === q) j += 2;
    else if (c === q) return j + 1;
    else j += 1;
  }
  return sql.length;
}

function stripComments(sql: string, mysql: boolean): string {
  return sql.replace(/\/\*[\s\S]*?\*\//g, '').replace(mysql ? /(--|#)[^\n]*/g : /--[^\n]*/g, '');
}

/** The files of one target, by version. Errors (bad names, duplicate versions, bad sections) name the file. */
export function readMigrations(dir: string, engine: Engine): MigrationFile[] {
  if (!existsSync(dir)) return [];
  const files: MigrationFile[] = [];
  const seen = new Map<string, string>();
  for (const dirent of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const entry = dirent.name;
    const path = join(dir, entry);
    if (!entry.endsWith('.sql') || !(dirent.isFile() || (dirent.isSymbolicLink() && statSync(path).isFile()))) continue;
    const m = FILE_PATTERN.exec(entry);
    if (!m) {
      throw new UsageError(`${path}: the name must be <version>_<name>.sql (digits, "_", lowercase name)`, {
        hint: 'Create files with `opsctl migrate create <target> <name>`.',
      });
    }
    const version = m[1]!;
    const key = BigInt(version).toString();
    if (seen.has(key))
      throw new UsageError(`${path}: version ${version} is also used by ${seen.get(key)}`, {
        hint: 'Give each migration its own version.',
      });
    seen.set(key, entry);
    const text = readFileSync(path, 'utf8');
    files.push({ version, name: m[2]!, path, checksum: checksumOf(text), ...parseMigration(text, engine, path) });
  }
  return files.sort((a, b) => compareVersions(a.version, b.version));
}

/**
 * The next file for a target: sequential numbers when the folder already uses short ones (001, 002…), else a UTC
 * timestamp (YYYYMMDDHHMMSS, as dbmate does), always greater than every existing version.
 */
export function createMigrationFile(
  dir: string,
  rawName: string,
  options: { now?: Date; engine: Engine },
): { path: string; version: string; name: string } {
  const name = rawName
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!name)
    throw new UsageError(`"${rawName}" is not a usable migration name`, {
      hint: 'Use words, e.g. `add_invoice_indexes`.',
    });
  const existing = readMigrations(dir, options.engine);
  const max = existing.at(-1)?.version;
  let version: string;
  if (max !== undefined && max.length <= 6) {
    version = (BigInt(max) + 1n).toString().padStart(max.length, '0');
  } else {
    const now = options.now ?? new Date();
    version = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
    if (max !== undefined && compareVersions(version, max) <= 0) version = (BigInt(max) + 1n).toString();
  }
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${version}_${name}.sql`);
  const template =
    options.engine === 'mysql'
      ? '-- migrate:up\n-- MySQL/MariaDB commit DDL at once: statements run one by one and each is recorded.\n\n\n-- migrate:down\n\n'
      : '-- migrate:up\n-- Runs in one transaction; write "-- migrate:up transaction:false" for CREATE INDEX CONCURRENTLY.\n\n\n-- migrate:down\n\n';
  writeFileSync(path, template, { flag: 'wx' });
  return { path, version, name };
}
