/**
 * Secrets never reach output, logs, errors or the state store. Config values marked secret (and the password part of
 * every connection URL) are registered here, and every face passes its text through `redact()` before writing it.
 */
export const REDACTED = '***';

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
  }

  /** Registers the password of a connection URL, if it has one. */
  addUrl(url: string | undefined): void {
    const password = urlPassword(url);
    if (password) this.add(password);
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

/** Replaces the password of any `scheme://user:password@host` in free text. */
export function redactUrlPasswords(text: string): string {
  return text.replace(URL_WITH_PASSWORD, (_m, head: string) => `${head}:${REDACTED}@`);
}

export function urlPassword(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.password ? decodeURIComponent(parsed.password) : undefined;
  } catch {
    return undefined;
  }
}

/** One process-wide redactor: the config loader fills it, the logger and the faces read it. */
export const redactor = new Redactor();
