import { ENV_BINDINGS } from '../../../src/config/env.js';
import { findPlaceholders, looksLikePlaceholder } from '../../../src/validate/placeholders.js';
import { fail, pass, warn, type CheckGroup } from '../types.js';

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
    if (config.warehouse.kind === 'duckdb') defaults.push('warehouse is the embedded DuckDB file');
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
          'Production needs opsctl.config.json with OPSCTL_STATE_URL (PostgreSQL), BigQuery and real database targets.',
        ),
      );
    } else emit(pass('defaults', `${env}: ${defaults.join('; ')}`));
  },
};
