import { REDACTED, redactUrlPasswords, type Redactor } from '../log/redact.js';
import { SECRET_KEY_PATTERN } from './sections/common.js';
import { SECRET_ENV_PATTERN } from './env.js';
import { isPlainObject } from './paths.js';

export function isSecretKey(key: string): boolean {
  return SECRET_KEY_PATTERN.test(key);
}

/** A copy of the config fit for printing: secret fields replaced, URL passwords masked. */
export function redactConfig<T>(value: T, key = ''): T {
  if (typeof value === 'string') return (isSecretKey(key) ? REDACTED : redactUrlPasswords(value)) as T;
  if (Array.isArray(value)) return value.map((v) => redactConfig(v, key)) as T;
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactConfig(v, k)])) as T;
  }
  return value;
}

/** Registers every secret the config and environment hold, so no face can print them. */
export function registerSecrets(redactor: Redactor, config: unknown, env: Record<string, string | undefined>): void {
  const walk = (value: unknown, key: string) => {
    if (typeof value === 'string') {
      if (isSecretKey(key)) redactor.add(value);
      redactor.addUrl(value);
    } else if (Array.isArray(value)) value.forEach((v) => walk(v, key));
    else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) walk(v, k);
  };
  walk(config, '');
  for (const [name, value] of Object.entries(env)) {
    if (value && SECRET_ENV_PATTERN.test(name)) redactor.add(value);
  }
}
