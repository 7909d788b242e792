import { z } from 'zod';
import { redactConfig } from '../src/config/secrets.js';
import { leaves } from '../src/config/paths.js';
import { defineOperation } from './operation.js';

export interface ConfigValue {
  path: string;
  value: unknown;
  source: string;
}

export interface ConfigShowResult {
  configFile: string | null;
  /** How discovery found the config file (--config, OPSCTL_CONFIG, ./opsctl.config.json, $OPSCTL_HOME, XDG, /etc). */
  configFoundBy: string | null;
  /** Where discovery looked, in order (with no config file found, other commands stop and list these). */
  configSearched: string[];
  envFile: string | null;
  /** Every env file read, the working directory's first. */
  envFiles: string[];
  environment: string;
  values: ConfigValue[];
  config: unknown;
}

/** The effective config, where each value came from, secrets redacted. */
export const configShow = defineOperation({
  name: 'config.show',
  summary: 'Print the effective configuration and where each value came from',
  input: z.object({}),
  async run(ctx): Promise<ConfigShowResult> {
    const { config, sources, configFile, configFoundBy, configSearched, envFile, envFiles } = ctx.loaded;
    const { baseDir: _baseDir, ...shown } = config;
    const redacted = redactConfig(shown);
    const values = leaves(redacted)
      .filter((l) => l.path.length > 0)
      .map((l) => {
        const path = l.path.join('.');
        return { path, value: l.value, source: sources[path] ?? inheritedSource(path, sources) };
      });
    return {
      configFile: configFile ?? null,
      configFoundBy: configFoundBy ?? null,
      configSearched,
      envFile: envFile ?? null,
      envFiles,
      environment: config.environment,
      values,
      config: redacted,
    };
  },
});

function inheritedSource(path: string, sources: Record<string, string>): string {
  const parts = path.split('.');
  for (let i = parts.length - 1; i > 0; i--) {
    const s = sources[parts.slice(0, i).join('.')];
    if (s) return s;
  }
  return 'default';
}
