import { UsageError } from '../errors.js';

/**
 * SQL identifier quoting, one function per dialect, for every name that reaches SQL text (values never do: they are
 * bound parameters). Each one validates, then escapes its dialect's quote character, so any name a catalog or a config
 * can hold (quotes, backticks, spaces, dots, unicode) stays one identifier and can never close the quote early.
 *
 * A string is one identifier, even with a dot in it; a qualified name is given as its parts (`['public', 'users']` →
 * `"public"."users"`), and a dotted name from config is split first with `qualifiedName('schema.table')`.
 * DuckDB follows PostgreSQL's rule.
 */
type Name = string | readonly string[];

function check(name: string): void {
  if (typeof name !== 'string' || name === '') {
    throw new UsageError('an SQL identifier cannot be empty', {
      hint: 'Check the table, column or schema names in the config.',
    });
  }
  // No engine stores a NUL in a name, and C client libraries end the statement text at one.
  if (name.includes('\0')) {
    throw new UsageError(`the SQL identifier ${JSON.stringify(name)} contains a NUL character`, {
      hint: 'Check the table, column or schema names in the config.',
    });
  }
}

function quoter(escape: (name: string) => string): (name: Name) => string {
  return (name) =>
    (typeof name === 'string' ? [name] : name)
      .map((part) => {
        check(part);
        return escape(part);
      })
      .join('.');
}

/** PostgreSQL, PGlite and DuckDB: `"name"`, an embedded `"` doubled. */
export const quotePg = quoter((name) => `"${name.replaceAll('"', '""')}"`);

/** MySQL and MariaDB: `` `name` ``, an embedded backtick doubled. */
export const quoteMysql = quoter((name) => `\`${name.replaceAll('`', '``')}\``);

/**
 * BigQuery (GoogleSQL): `` `name` ``. Quoted identifiers take the string literals' backslash escapes, so a backslash
 * and a backtick are escaped with one.
 */
export const quoteBigQuery = quoter((name) => `\`${name.replaceAll('\\', '\\\\').replaceAll('`', '\\`')}\``);

/** A dotted name from config (`schema.table`, `dataset.table`, `project.dataset.table`) as its parts. */
export function qualifiedName(name: string): string[] {
  const parts = name.split('.');
  if (parts.some((p) => p === '')) {
    throw new UsageError(`"${name}" is not a valid qualified name: one of its parts is empty`, {
      hint: 'Write it as name, schema.name or dataset.name.',
    });
  }
  return parts;
}
