import { z } from 'zod';
import { nameSchema } from './common.js';

const poolSchema = z
  .strictObject({
    max: z.number().int().min(1).max(1000).default(5),
    idleTimeoutMs: z.number().int().min(0).default(10_000),
    connectTimeoutMs: z.number().int().min(100).default(5_000),
  })
  .prefault({});

const common = {
  /** Production targets ask for typed confirmation before anything destructive. */
  production: z.boolean().default(false),
  description: z.string().optional(),
};

const urlWithScheme = (schemes: string[], example: string) =>
  z.string().refine(
    (v) => {
      try {
        return schemes.includes(new URL(v).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { message: `must be a URL like ${example}` },
  );

export const postgresTargetSchema = z.strictObject({
  engine: z.literal('postgres'),
  url: urlWithScheme(['postgres', 'postgresql'], 'postgres://user:password@host:5432/database'),
  pool: poolSchema,
  ...common,
});

export const mysqlTargetSchema = z.strictObject({
  engine: z.literal('mysql'),
  url: urlWithScheme(['mysql', 'mariadb'], 'mysql://user:password@host:3306/database'),
  pool: poolSchema,
  ...common,
});

export const pgliteTargetSchema = z.strictObject({
  engine: z.literal('pglite'),
  /** Data directory; default `<OPSCTL_HOME>/pglite/<target name>`. */
  path: z.string().min(1).optional(),
  ...common,
});

export const targetSchema = z.discriminatedUnion(
  'engine',
  [postgresTargetSchema, mysqlTargetSchema, pgliteTargetSchema],
  {
    error: (issue) =>
      issue.code === 'invalid_union' ? 'engine must be one of "postgres", "mysql", "pglite"' : undefined,
  },
);

export const targetsSchema = z.record(nameSchema, targetSchema).prefault({ local: { engine: 'pglite' } });

/** The engine a connection URL speaks, for DATABASE_URL. */
export function engineOfUrl(url: string): 'postgres' | 'mysql' | undefined {
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgres';
  if (/^(mysql|mariadb):\/\//i.test(url)) return 'mysql';
  return undefined;
}
