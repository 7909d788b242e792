/**
 * Secrets never reach output, logs, errors or the state store. This is the one redaction module every face uses:
 *
 * - `redactUrl(url)`: a connection URL fit for printing (userinfo password and credential query parameters masked).
 * - `redactSecrets(value, paths)`: a copy of a config-like value with the fields at `paths` (pino-style redact paths,
 *   `*` for any key) masked, URL credentials masked everywhere and sensitive HTTP header values masked.
 * - `redactor.redact(text)`: free text with every registered secret value and every URL credential masked; the
 *   config loader registers each secret it holds, and every face passes its text through it before writing.
 */
export const REDACTED = '***';

/**
 * Query parameters that carry a credential in a connection URL, for every engine (libpq `password`, `sslpassword`;
 * mysql2/JDBC-style `password`, `pwd`; tokens and keys of HTTP URLs). File paths (`sslkey`, `sslcert`, `passfile`)
 * are not secrets and stay visible.
 */
export const CREDENTIAL_PARAM =
  /^(password|passwd|pwd|pass|sslpassword|secret|token|access_?token|auth_?token|api_?key|apikey|client_?secret|private_?key)$/i;

/** HTTP header names whose values are credentials: authorization, cookie, anything with key, token or secret. */
export const SENSITIVE_HEADER = /authorization|cookie|key|token|secret|password|passwd/i;

export function isSensitiveHeader(name: string): boolean {
  return SENSITIVE_HEADER.test(name);
}

/** The headers with each credential value masked. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, isSensitiveHeader(k) ? REDACTED : v]));
}

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Values shorter than 4 characters are not registered: replacing them everywhere would garble output. */
  add(secret: string | undefined | null): void {
    if (typeof secret !== 'string') return;
    const value = secret.trim();
    if (value.length >= 4) this.secrets.add(value);
    // A password inside a URL may appear percent-encoded or decoded; register both.
    try {
      const decoded = decodeURIComponent(value);
      if (decoded !== value && decoded.length >= 4) this.secrets.add(decoded);
    } catch {
      /* not percent-encoded */
    }
    const encoded = encodeURIComponent(value);
    if (encoded !== value) this.secrets.add(encoded);
  }

  /** Registers every credential a connection URL carries (userinfo password, credential query parameters). */
  addUrl(url: string | undefined): void {
    for (const secret of urlCredentials(url)) this.add(secret);
  }

  redact(text: string): string {
    let out = redactUrlPasswords(text);
    // Longest first, so a secret that contains another is replaced whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out;
  }

  /** Deep copy of a JSON-able value with every string redacted. */
  redactDeep<T>(value: T): T {
    return JSON.parse(this.redact(JSON.stringify(value ?? null))) as T;
  }
}

const URL_WITH_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):([^@/?#\s]+)@/gi;
// `?password=…` / `&sslpassword=…` in free text (an error message quoting a URL). Values end at &, #, space or quote.
const CREDENTIAL_QUERY =
  /([?&;](?:password|passwd|pwd|pass|sslpassword|secret|token|access_?token|auth_?token|api_?key|apikey|client_?secret|private_?key)=)([^&#\s'"<>]+)/gi;

/** Masks every URL credential in free text: `scheme://user:password@host` and credential query parameters. */
export function redactUrlPasswords(text: string): string {
  return text
    .replace(URL_WITH_PASSWORD, (_m, head: string) => `${head}:${REDACTED}@`)
    .replace(CREDENTIAL_QUERY, (_m, head: string) => `${head}${REDACTED}`);
}

/** A connection URL fit for printing: user, host, port, database and other parameters stay; credentials do not. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactUrlPasswords(url);
  }
  if (!parsed.password && ![...parsed.searchParams.keys()].some((k) => CREDENTIAL_PARAM.test(k))) return url;
  if (parsed.password) parsed.password = REDACTED;
  for (const key of [...parsed.searchParams.keys()])
    if (CREDENTIAL_PARAM.test(key)) parsed.searchParams.set(key, REDACTED);
  // URLSearchParams encodes "*" as %2A; keep the mask readable.
  return parsed.toString().replace(/%2A%2A%2A/g, REDACTED);
}

/** Every credential a URL carries, decoded: the userinfo password and each credential query parameter. */
export function urlCredentials(url: string | undefined): string[] {
  if (!url) return [];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  const out: string[] = [];
  if (parsed.password) out.push(safeDecode(parsed.password));
  for (const [key, value] of parsed.searchParams) if (CREDENTIAL_PARAM.test(key) && value) out.push(value);
  return out;
}

/** The userinfo password of a URL (or its `password` query parameter), decoded. */
export function urlPassword(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.password) return safeDecode(parsed.password);
    return parsed.searchParams.get('password') ?? undefined;
  } catch {
    return undefined;
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * A copy of a JSON-like value fit for printing. `paths` are dotted, pino-style (`bot.token`,
 * `targets.*.url`, `loadtest.profiles.*.headers`): a string at such a path is masked whole, except URLs, which keep
 * everything but their credentials; an object at such a path is a header map (its sensitive names masked). Every
 * other string still has its URL credentials masked, and keys in `secretKey` (a safety net for fields the list
 * misses) are masked whole.
 */
export function redactSecrets<T>(value: T, paths: readonly string[], secretKey?: RegExp): T {
  const patterns = paths.map((p) => p.split('.'));
  const matches = (path: string[]) =>
    patterns.some((p) => p.length === path.length && p.every((part, i) => part === '*' || part === path[i]));
  const walk = (v: unknown, path: string[]): unknown => {
    const key = path.at(-1) ?? '';
    const marked = path.length > 0 && matches(path);
    if (typeof v === 'string') {
      if (marked) return looksLikeUrl(v) ? redactUrl(v) : REDACTED;
      if (secretKey?.test(key)) return REDACTED;
      return redactUrlPasswords(v);
    }
    if (Array.isArray(v)) return v.map((item) => walk(item, path));
    if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
      const entries = Object.entries(v as Record<string, unknown>);
      if (marked)
        return Object.fromEntries(
          entries.map(([k, item]) => [
            k,
            typeof item === 'string' && isSensitiveHeader(k) ? REDACTED : walk(item, [...path, k]),
          ]),
        );
      return Object.fromEntries(entries.map(([k, item]) => [k, walk(item, [...path, k])]));
    }
    return v;
  };
  return walk(value, []) as T;
}

/** Every string a value holds at the given redact paths (what a Redactor must register). */
export function valuesAt(value: unknown, paths: readonly string[]): string[] {
  const out: string[] = [];
  const visit = (v: unknown, pattern: string[]): void => {
    if (pattern.length === 0) {
      if (typeof v === 'string') out.push(v);
      else if (typeof v === 'object' && v !== null && !Array.isArray(v))
        // A header map: the values of its sensitive names.
        for (const [k, item] of Object.entries(v)) if (typeof item === 'string' && isSensitiveHeader(k)) out.push(item);
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    const [head, ...rest] = pattern as [string, ...string[]];
    const record = v as Record<string, unknown>;
    if (head === '*') for (const item of Object.values(record)) visit(item, rest);
    else if (head in record) visit(record[head], rest);
  };
  for (const p of paths) visit(value, p.split('.'));
  return out;
}

function looksLikeUrl(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value);
}

/** One process-wide redactor: the config loader fills it, the logger and the faces read it. */
export const redactor = new Redactor();
