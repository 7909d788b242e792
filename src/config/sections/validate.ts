import { z } from 'zod';

const variableName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, { message: 'must be an environment variable name' });
const variableList = z.array(variableName);

/** Variables that must be set, per environment. */
const perEnvironment = z
  .strictObject({
    development: variableList.default([]),
    staging: variableList.default([]),
    production: variableList.default([]),
  })
  .prefault({});

/**
 * The deployed application's own checklist (the seeds' SECRET_KEY, CORS_ORIGINS, DEBUG rules). opsctl uses none of
 * these variables, so nothing here runs unless the block is present: a team that deploys its app with opsctl's
 * environment opts in and names its variables.
 */
export const applicationChecklistSchema = z.strictObject({
  /** The application's variables that must be set, per environment. */
  requiredVariables: perEnvironment,
  /** The variable holding the application's signing secret. */
  secretVariable: variableName.default('SECRET_KEY'),
  /** Minimum length of the secret; 0 turns the secret check off. Unset is a fail in production only. */
  minSecretLength: z.number().int().min(0).default(32),
  /** Comma-separated allowed origins; `*` fails in production (a warning elsewhere). null turns the check off. */
  corsVariable: variableName.nullable().default('CORS_ORIGINS'),
  /** A debug switch that must be off in production (1, true, yes, on fail). null turns the check off. */
  debugVariable: variableName.nullable().default('DEBUG'),
});

/** `opsctl validate`, the pre-deployment gate. */
export const validateSchema = z
  .strictObject({
    /** Variables that must be set, per environment, besides those the config itself needs (credentials, tokens). */
    requiredVariables: perEnvironment,
    /** The deployed application's checklist; absent: no application checks run. */
    application: applicationChecklistSchema.optional(),
    minPasswordLength: z.number().int().min(1).default(16),
    /** Log levels allowed in production. */
    productionLogLevels: z.array(z.enum(['debug', 'info', 'warn', 'error'])).default(['info', 'warn']),
    /** Backups: minimum free disk in the backup directory, percent. */
    minFreeDiskPercent: z.number().min(0).max(100).default(30),
  })
  .prefault({});
