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
  const sections: Record<string, { options: string; lines: string[]; after: number }> = {};
  let current: string | undefined;
  let lineNo = 0;
  for (const line of text.replace(/\r\n/g, '\n').split('\n')) {
    lineNo++;
    const m = MARKER.exec(line.trim());
    if (m) {
      const dir = m[1]!;
      if (sections[dir])
        throw new UsageError(`${where}: "-- migrate:${dir}" appears twice`, {
          hint: 'One up and at most one down section per file.',
        });
      sections[dir] = { options: m[2]!.trim(), lines: [], after: lineNo };
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
  const section = (s: { options: string; lines: string[]; after: number }, dir: string): MigrationSection => {
    const options = parseOptions(s.options, `${where} (migrate:${dir})`);
    const split = splitSql(s.lines.join('\n'), engine, s.after);
    return {
      transaction: options.transaction ?? true,
      statements: split.statements,
      ...(split.warnings.length ? { warnings: split.warnings } : {}),
    };
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

/** A section's statements, and what the splitter could not place (shown by validate, status and --dry-run). */
export interface SplitResult {
  statements: string[];
  warnings: string[];
}

/**
 * Splits SQL into statements on `;` as psql and the mysql client do, leaving semicolons inside quotes, identifiers,
 * comments and PostgreSQL dollar-quoted bodies alone. Comment-only pieces are dropped.
 *
 * PostgreSQL: `E'…\'…'` strings take backslash escapes; in `CREATE [OR REPLACE] FUNCTION|PROCEDURE`, BEGIN and CASE
 * open a block that END closes (psql's rule), so a `BEGIN ATOMIC … END` body stays one statement.
 *
 * MySQL/MariaDB: a `DELIMITER xx` line at a statement boundary changes the delimiter as the mysql client reads it; with
 * `;` as the delimiter, a stored program or compound statement (`CREATE TRIGGER|PROCEDURE|FUNCTION|EVENT`, `BEGIN NOT
 * ATOMIC`) is kept whole through its `BEGIN … END`, `CASE … END [CASE]`, `IF … END IF` and loops, as dbmate's single
 * multi-statement query would send it. Executable comments (`/*!50001 … *\/`, `/*M! … *\/`) are statements, not
 * comments: the server runs them. `-- ` starts a comment only when a space follows, as in MySQL.
 *
 * `lineOffset` is the file line the SQL starts after (for the warnings).
 */
export function splitSql(sql: string, engine: Engine, lineOffset = 0): SplitResult {
  const out: string[] = [];
  const warnings: string[] = [];
  const mysql = engine === 'mysql';
  const n = sql.length;
  let start = 0;
  let i = 0;
  let delimiter = ';';
  /** Open BEGIN/CASE/IF/loop blocks of the current statement. */
  let depth = 0;
  /** Whether the current statement may hold blocks (decided at its first block keyword); undefined = not yet. */
  let compound: boolean | undefined;
  /** The previous token of the current statement (an upper-case word or a punctuation character). */
  let prev = '';
  const lineAt = (at: number) => lineOffset + 1 + countNewlines(sql, at);
  const push = (end: number) => {
    const piece = sql.slice(start, end).trim();
    if (stripComments(piece, mysql).trim()) {
      if (depth > 0)
        warnings.push(
          `statement ${out.length + 1} (line ${lineAt(start + leadingSpace(sql, start))}): a BEGIN/CASE/IF block is not closed by its END before the end of the section; it is sent as it is`,
        );
      out.push(piece);
    }
    depth = 0;
    compound = undefined;
    prev = '';
  };
  const unclosed = (what: string, at: number) =>
    warnings.push(
      `statement ${out.length + 1}: ${what} opened on line ${lineAt(at)} is never closed, so everything after it is part of that statement`,
    );
  const isCompound = (): boolean => {
    compound ??= (mysql ? MYSQL_COMPOUND : PG_BODY).test(stripComments(sql.slice(start, i), mysql).trim());
    return compound;
  };

  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (mysql && (i === 0 || sql[i - 1] === '\n') && /^[ \t]*delimiter\b/i.test(sql.slice(i, i + 40))) {
      const line = sql.slice(i, lineEnd(sql, i));
      const m = /^[ \t]*delimiter[ \t]+(\S+)/i.exec(line);
      if (!m) {
        warnings.push(`line ${lineAt(i)}: DELIMITER without a delimiter; write e.g. "DELIMITER //"`);
      } else {
        if (stripComments(sql.slice(start, i), true).trim()) {
          warnings.push(
            `line ${lineAt(i)}: "${line.trim()}" inside statement ${out.length + 1}: the statement before it does not end with "${delimiter}"; it is ended at the DELIMITER line`,
          );
          push(i);
        }
        delimiter = m[1]!;
      }
      i = lineEnd(sql, i);
      start = i;
      prev = '';
      continue;
    }
    if (c === '-' && next === '-' && (!mysql || /[\s]/.test(sql[i + 2] ?? ' '))) {
      i = lineEnd(sql, i);
    } else if (c === '#' && mysql) {
      i = lineEnd(sql, i);
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0)
        unclosed(mysql && /^\/\*M?!/.test(sql.slice(i, i + 4)) ? 'the executable comment' : 'the comment', i);
      if (mysql && /^\/\*M?!/.test(sql.slice(i, i + 4))) prev = '*/';
      i = end < 0 ? n : end + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      const escapes = mysql ? c !== '`' : c === "'" && /(^|[^A-Za-z0-9_$])[eE]$/.test(sql.slice(Math.max(0, i - 2), i));
      const end = quoteEnd(sql, i, c, escapes);
      if (end < 0)
        unclosed(c === '`' ? 'the quoted identifier' : c === '"' && !mysql ? 'the quoted identifier' : 'the string', i);
      i = end < 0 ? n : end;
      prev = c;
    } else if (c === '$' && !mysql && !/[A-Za-z0-9_$]/.test(sql[i - 1] ?? '')) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 66));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        if (end < 0) unclosed(`the dollar-quoted body ${tag[0]}`, i);
        i = end < 0 ? n : end + tag[0].length;
        prev = '$';
      } else i += 1;
    } else if (delimiter !== ';' ? sql.startsWith(delimiter, i) : c === ';' && depth === 0) {
      push(i);
      i += delimiter.length;
      start = i;
    } else if (/[A-Za-z_]/.test(c) && !/[A-Za-z0-9_$]/.test(sql[i - 1] ?? '')) {
      let word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i, i + 64))![0];
      // The mysql client looks for the delimiter before anything else: `END$$` is END, then the delimiter $$.
      if (delimiter !== ';' && word.includes(delimiter)) word = word.slice(0, word.indexOf(delimiter));
      const w = word.toUpperCase();
      i += word.length;
      if (delimiter === ';') {
        if (mysql) ({ depth, i } = mysqlBlock(sql, i, w, prev, depth, isCompound));
        else if ((w === 'BEGIN' || w === 'CASE') && isCompound()) depth++;
        else if (w === 'END' && depth > 0) depth--;
      }
      prev = w;
    } else {
      if (!/\s/.test(c)) prev = c;
      i += 1;
    }
  }
  push(n);
  return { statements: out, warnings };
}

/** The statements only (see splitSql). */
export function splitStatements(sql: string, engine: Engine): string[] {
  return splitSql(sql, engine).statements;
}

/** The head of a MySQL statement that may hold BEGIN … END blocks (a stored program, or a MariaDB compound statement). */
const MYSQL_COMPOUND =
  /^(?:(?:CREATE|ALTER)\s+(?:OR\s+REPLACE\s+)?(?:DEFINER\s*=\s*\S+\s+)?(?:AGGREGATE\s+)?(?:TRIGGER|PROCEDURE|FUNCTION|EVENT)\b|(?:[A-Za-z_][A-Za-z0-9_]*\s*:\s*)?(?:BEGIN|IF|CASE|LOOP|WHILE|REPEAT|FOR)?$)/i;
/** psql's rule: BEGIN and CASE nest (until END) only in CREATE [OR REPLACE] FUNCTION|PROCEDURE. */
const PG_BODY = /^CREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE)\b/i;
/** Where a statement starts inside a MySQL body: after these tokens, IF/WHILE/LOOP/REPEAT open blocks. */
const STATEMENT_START = new Set(['', ';', ':', 'BEGIN', 'THEN', 'ELSE', 'DO', 'LOOP', 'REPEAT', 'ATOMIC', 'ROW']);
const LOOP_WORDS = new Set(['IF', 'CASE', 'LOOP', 'WHILE', 'REPEAT', 'FOR']);

/** One word of a MySQL statement: opens or closes a block (END IF and the like consume their second word). */
function mysqlBlock(
  sql: string,
  i: number,
  w: string,
  prev: string,
  depth: number,
  isCompound: () => boolean,
): { depth: number; i: number } {
  if (w === 'END') {
    if (depth === 0) return { depth, i };
    const after = /^\s+([A-Za-z]+)\b/.exec(sql.slice(i, i + 20));
    const second = after?.[1]?.toUpperCase();
    return { depth: depth - 1, i: second && LOOP_WORDS.has(second) ? i + after![0].length : i };
  }
  if (w === 'BEGIN') {
    // A bare BEGIN / BEGIN WORK at the top is a transaction, not a block.
    if (depth === 0 && /^\s*(;|$|WORK\b)/i.test(sql.slice(i, i + 10))) return { depth, i };
    return { depth: depth > 0 || isCompound() ? depth + 1 : depth, i };
  }
  if (w === 'CASE') return { depth: depth > 0 || isCompound() ? depth + 1 : depth, i };
  if ((w === 'IF' || w === 'WHILE' || w === 'LOOP' || w === 'REPEAT' || w === 'FOR') && STATEMENT_START.has(prev)) {
    // FOR is a loop only in MariaDB's FOR … DO … END FOR; elsewhere (FOR EACH ROW, FOR UPDATE) it follows other tokens.
    if (w === 'FOR' && depth === 0) return { depth, i };
    return { depth: depth > 0 || isCompound() ? depth + 1 : depth, i };
  }
  return { depth, i };
}

function countNewlines(sql: string, end: number): number {
  let count = 0;
  for (let j = sql.indexOf('\n'); j >= 0 && j < end; j = sql.indexOf('\n', j + 1)) count++;
  return count;
}

function leadingSpace(sql: string, at: number): number {
  return /^\s*/.exec(sql.slice(at, at + 200))![0].length;
}

function lineEnd(sql: string, i: number): number {
  const end = sql.indexOf('\n', i);
  return end < 0 ? sql.length : end + 1;
}

/** The index after the closing quote, or -1 when the quote is never closed. */
function quoteEnd(sql: string, i: number, q: string, backslash: boolean): number {
  let j = i + 1;
  while (j < sql.length) {
    const c = sql[j]!;
    if (backslash && c === '\\') j += 2;
    else if (c === q && sql[j + 1] === q) j += 2;
    else if (c === q) return j + 1;
    else j += 1;
  }
  return -1;
}

/** The SQL without its comments; MySQL's executable comments (`/*!…*\/`, `/*M!…*\/`) are statements and stay. */
function stripComments(sql: string, mysql: boolean): string {
  return sql
    .replace(mysql ? /\/\*(?!M?!)[\s\S]*?\*\//g : /\/\*[\s\S]*?\*\//g, '')
    .replace(mysql ? /(--\s|#)[^\n]*/g : /--[^\n]*/g, '');
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
