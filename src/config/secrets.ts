import { redactSecrets, valuesAt, type Redactor } from '../log/redact.js';
import { SECRET_KEY_PATTERN } from './sections/common.js';
import { SECRET_ENV_PATTERN } from './env.js';
import { isPlainObject } from './paths.js';

/**
 * The config's secret fields, one explicit list (pino-style redact paths, `*` for any key). A string here is masked
 * whole unless it is a URL, which keeps everything but its credentials; a header map here has the values of its
 * sensitive names masked (authorization, cookie, *key*, *token*, *secret*). `config show`, the logs, errors and
 * every face mask exactly these (and, as a safety net, any key ending in secret/token/password/apikey).
 * Add a field here when you add a secret to the schema.
 */
export const SECRET_PATHS = [
  'state.url',
  'targets.*.url',
  'bot.token',
  'bot.webhook.secretToken',
  'bot.health.token',
  'spotify.clientSecret',
  'spotify.refreshToken',
  'warehouse.bigquery.accessToken',
  'loadtest.profiles.*.headers',
] as const;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY_PATTERN.test(key);
}

/** A copy of the config fit for printing: the fields of SECRET_PATHS masked, URL credentials masked everywhere. */
export function redactConfig<T>(value: T): T {
  return redactSecrets(value, SECRET_PATHS, SECRET_KEY_PATTERN);
}

/** Registers every secret the config and environment hold, so no face can print them. */
export function registerSecrets(redactor: Redactor, config: unknown, env: Record<string, string | undefined>): void {
  for (const value of valuesAt(config, SECRET_PATHS)) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) redactor.addUrl(value);
    else redactor.add(value);
  }
  const walk = (value: unknown, key: string) => {
    if (typeof value === 'string') {
      if (isSecretKey(key)) redactor.add(value);
      redactor.addUrl(value);
    } else if (Array.isArray(value)) value.forEach((v) => walk(v, key));
    else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) walk(v, k);
  };
  walk(config, '');
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    if (SECRET_ENV_PATTERN.test(name)) redactor.add(value);
    redactor.addUrl(value);
  }
}
