import { z } from 'zod';

const variableList = z.array(
  z.string().regex(/^[A-Z_][A-Z0-9_]*$/, { message: 'must be an environment variable name' }),
);

/**
 * `opsctl validate`, the pre-deployment gate. The defaults are the seeds' production checklist (the invoice bot's and
 * the recommendation service's pre-deployment checks).
 */
export const validateSchema = z
  .strictObject({
    /** Variables that must be set, per environment, besides those the config itself needs (credentials, tokens). */
    requiredVariables: z
      .strictObject({
        development: variableList.default([]),
        staging: variableList.default(['ENVIRONMENT', 'DATABASE_URL']),
        production: variableList.default(['ENVIRONMENT', 'SECRET_KEY', 'DATABASE_URL']),
      })
      .prefault({}),
    minSecretKeyLength: z.number().int().min(1).default(32),
    minPasswordLength: z.number().int().min(1).default(16),
    /** Log levels allowed in production. */
    productionLogLevels: z.array(z.enum(['debug', 'info', 'warn', 'error'])).default(['info', 'warn']),
    /** Backups: minimum free disk in the backup directory, percent. */
    minFreeDiskPercent: z.number().min(0).max(100).default(30),
  })
  .prefault({});
