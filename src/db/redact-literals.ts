/**
 * SQL text with its literals replaced by `?`, so a query can be shown (db top, db slow) without the values it carries:
 * quoted strings ('…' with '' and backslash escapes, E'…', PostgreSQL $tag$…$tag$ bodies; on MySQL also "…"), and
 * numbers that stand alone (not part of an identifier such as t1 or a $1 placeholder). Comments are kept.
 */
export function redactSqlLiterals(sql: string, dialect: 'postgres' | 'mysql'): string {
  let out = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    // Comments pass through untouched.
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? n : end;
      out += sql.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end === -1 ? n : end + 2;
      out += sql.slice(i, stop);
      i = stop;
      continue;
    }
    if (dialect === 'postgres' && c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        out += '?';
        i = end === -1 ? n : end + tag[0].length;
        continue;
      }
    }
    const quote = c === "'" || (dialect === 'mysql' && c === '"') ? c : undefined;
    if (quote) {
      // A prefix such as E'…' or N'…' belongs to the literal.
      if (/[EeNnBbXx]$/.test(out) && !/[A-Za-z0-9_][EeNnBbXx]$/.test(out)) out = out.slice(0, -1);
      let j = i + 1;
      while (j < n) {
        if (sql[j] === '\\' && (dialect === 'mysql' || /[Ee]$/.test(sql.slice(0, i)))) j += 2;
        else if (sql[j] === quote && sql[j + 1] === quote) j += 2;
        else if (sql[j] === quote) break;
        else j += 1;
      }
      out += '?';
      i = j + 1;
      continue;
    }
    if (c === '"' || c === '`') {
      // Quoted identifiers are kept.
      const end = sql.indexOf(c, i + 1);
      const stop = end === -1 ? n : end + 1;
      out += sql.slice(i, stop);
      i = stop;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const prev = out.at(-1) ?? '';
      if (/[A-Za-z0-9_$]/.test(prev)) {
        out += c;
        i += 1;
        continue;
      }
      const m = /^(0x[0-9a-fA-F]+|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)/.exec(sql.slice(i))!;
      out += '?';
      i += m[0].length;
      continue;
    }
    out += c;
    i += 1;
  }
  return out;
}
