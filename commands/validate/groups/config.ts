import { readFileSync, statSync } from 'node:fs';
import { ENV_BINDINGS } from '../../../src/config/env.js';
import { SECRET_PATHS } from '../../../src/config/secrets.js';
import { urlCredentials, valuesAt } from '../../../src/log/redact.js';
import { findPlaceholders, looksLikePlaceholder } from '../../../src/validate/placeholders.js';
import { fail, pass, warn, type CheckGroup, type CheckOutcome } from '../types.js';

/** The config loads against the schema, and nothing in it is still a placeholder or an embedded default. */
export const configChecks: CheckGroup = {
  id: 'config',
  title: 'Configuration',
  async run({ loaded, config, env, emit, configError }) {
    if (configError) {
      emit(
        fail(
          'schema',
          configError.message.split('\n')[0] ?? 'invalid configuration',
          configError.hint ?? 'Fix the fields named by `opsctl config check`.',
        ),
      );
      return;
    }
    emit(
      pass(
        'schema',
        loaded.configFile
          ? `${loaded.configFile} matches the schema`
          : 'embedded defaults (no opsctl.config.json) match the schema',
      ),
    );

    if (loaded.configFile) {
      const exposed = exposedSecrets(loaded.configFile, config);
      if (exposed) emit(exposed);
    }

    const inConfig = findPlaceholders(config).map((p) => `config ${p}`);
    const inEnv = ENV_BINDINGS.filter((b) => {
      const value = loaded.env[b.name];
      return value !== undefined && looksLikePlaceholder(value);
    }).map((b) => b.name);
    const placeholders = [...new Set([...inConfig, ...inEnv])];
    if (placeholders.length === 0) emit(pass('placeholders', 'no placeholder values (change-me, your-…, <…>, TODO)'));
    else {
      const strict = env !== 'development';
      const outcome = strict ? fail : warn;
      emit(
        outcome(
          'placeholders',
          `placeholder values left in ${placeholders.join(', ')}`,
          'Replace them with real values (see .env.example for what each one is).',
        ),
      );
    }

    const defaults: string[] = [];
    if (!loaded.configFile) defaults.push('no opsctl.config.json (embedded defaults)');
    if (config.state.url.startsWith('sqlite:')) defaults.push('state store is the embedded SQLite file');
    const embeddedTargets = Object.entries(config.targets)
      .filter(([, t]) => t.engine === 'pglite')
      .map(([n]) => n);
    if (embeddedTargets.length)
      defaults.push(`target${embeddedTargets.length > 1 ? 's' : ''} ${embeddedTargets.join(', ')} on embedded PGlite`);
    if (config.$comment?.includes('opsctl demo')) defaults.push('this is the demo workspace config');
    if (defaults.length === 0) emit(pass('defaults', 'no embedded defaults in use'));
    else if (env === 'production') {
      emit(
        fail(
          'defaults',
          defaults.join('; '),
          'Production needs opsctl.config.json with OPSCTL_STATE_URL (PostgreSQL) and real database targets.',
        ),
      );
    } else emit(pass('defaults', `${env}: ${defaults.join('; ')}`));
    // A DuckDB warehouse is a real choice for a small team (no BigQuery bill), not a leftover default: a warning.
    if (config.warehouse.kind === 'duckdb' && env === 'production')
      emit(
        warn(
          'warehouse',
          'warehouse is the embedded DuckDB file in production',
          'Fine for one host; set OPSCTL_WAREHOUSE=bigquery (BIGQUERY_PROJECT_ID) to share it across hosts.',
        ),
      );
  },
};

/**
 * A config file that holds a secret literally (not as `${NAME}` from the environment) must be readable by its owner
 * only: a warning when group or others may read it.
 */
function exposedSecrets(file: string, config: unknown): CheckOutcome | undefined {
  let mode: number;
  let text: string;
  try {
    mode = statSync(file).mode;
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const secrets = valuesAt(config, SECRET_PATHS).flatMap((v) =>
    /^[a-z][a-z0-9+.-]*:\/\//i.test(v) ? urlCredentials(v) : [v],
  );
  const literal = secrets.some((s) => s.length >= 4 && text.includes(s));
  if (!literal) return undefined;
  if ((mode & 0o044) === 0) return pass('file mode', `${file} holds secrets and only its owner may read it`);
  return warn(
    'file mode',
    `${file} holds a secret literally and is readable by ${mode & 0o004 ? 'everyone' : 'its group'} (mode ${(mode & 0o777).toString(8)})`,
    `chmod 600 ${file}, or move the secret to the environment (write "\${NAME}" in the file).`,
  );
}
