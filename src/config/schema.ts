import { z } from 'zod';
import { parseLogLevel } from '../log/logger.js';
import { backupsSchema } from './sections/backups.js';
import { botSchema } from './sections/bot.js';
import { costsSchema } from './sections/costs.js';
import { healthSchema } from './sections/health.js';
import { loadtestSchema } from './sections/loadtest.js';
import { migrationsSchema } from './sections/migrations.js';
import { pipelinesSchema } from './sections/pipelines.js';
import { servicesSchema } from './sections/services.js';
import { spotifySchema } from './sections/spotify.js';
import { stateSchema } from './sections/state.js';
import { targetsSchema } from './sections/targets.js';
import { validateSchema } from './sections/validate.js';
import { warehouseSchema } from './sections/warehouse.js';

export const ENVIRONMENTS = ['development', 'staging', 'production'] as const;

/**
 * The schema of `opsctl.config.json` after environment variables are merged in. Objects are strict so a typo is
 * reported, not ignored. Each section lives in its own module under sections/.
 */
export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  /** Free text; `opsctl demo` marks the workspace config it writes here. */
  $comment: z.string().optional(),
  environment: z.enum(ENVIRONMENTS).default('development'),
  logLevel: z
    .string()
    .transform((v, ctx) => {
      const level = parseLogLevel(v);
      if (!level) {
        ctx.addIssue({ code: 'custom', message: 'must be one of DEBUG, INFO, WARNING, ERROR, SILENT' });
        return z.NEVER;
      }
      return level;
    })
    .default('info'),
  /**
   * Where opsctl keeps its embedded state, warehouse, PGlite data and backups. Unset: see defaultHome() in load.ts
   * (the config file's own folder when it is $OPSCTL_HOME/opsctl.config.json, else the XDG state directory).
   */
  home: z.string().min(1).optional(),
  state: stateSchema,
  warehouse: warehouseSchema,
  targets: targetsSchema,
  spotify: spotifySchema,
  pipelines: pipelinesSchema,
  costs: costsSchema,
  bot: botSchema,
  loadtest: loadtestSchema,
  backups: backupsSchema,
  migrations: migrationsSchema,
  validate: validateSchema,
  /** HTTP services watched by `opsctl health`, the console and the bot. */
  services: servicesSchema,
  health: healthSchema,
});

/** The config as the schema returns it (paths not yet resolved). */
export type ParsedConfig = z.output<typeof configSchema>;
export type TargetConfig = ParsedConfig['targets'][string];
export type PipelineConfig = ParsedConfig['pipelines'][string];
