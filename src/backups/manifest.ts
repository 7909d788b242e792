import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { OperationFailed } from '../errors.js';

export const BACKUP_ENGINES = ['postgres', 'mysql', 'pglite'] as const;
export type BackupEngine = (typeof BACKUP_ENGINES)[number];

/** `custom`: pg_dump -Fc (pg_restore reads it); `sql.gz`: plain SQL, gzip-compressed (mariadb-dump, PGlite's pg_dump). */
export const BACKUP_FORMATS = ['custom', 'sql.gz'] as const;
export type BackupFormat = (typeof BACKUP_FORMATS)[number];

export const tableCountSchema = z.object({
  /** `schema.table` on PostgreSQL and PGlite; the table name on MySQL (a target is one database). */
  table: z.string(),
  rows: z.number().int().nonnegative(),
});
export type TableCount = z.infer<typeof tableCountSchema>;

/** The manifest written beside every backup file (`<file>.manifest.json`): what the file holds and how to prove it. */
export const manifestSchema = z.object({
  manifestVersion: z.literal(1),
  id: z.string(),
  target: z.string(),
  engine: z.enum(BACKUP_ENGINES),
  serverVersion: z.string(),
  tool: z.string(),
  toolVersion: z.string(),
  format: z.enum(BACKUP_FORMATS),
  /** File name, relative to the manifest's folder. */
  file: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  startedAt: z.string(),
  finishedAt: z.string(),
  /** Row count of every table at backup time (PostgreSQL: in the dump's own snapshot). */
  tables: z.array(tableCountSchema),
  /**
   * A checksum of each table's content (src/backups/content.ts), taken with the counts; absent in manifests written
   * before opsctl recorded them, or with backups.contentChecksums false (verify then proves counts only, and says so).
   */
  content: z
    .object({
      method: z.string(),
      tables: z.record(z.string(), z.string()),
    })
    .optional(),
});
export type BackupManifest = z.infer<typeof manifestSchema>;

export function manifestPathOf(file: string): string {
  return `${file}.manifest.json`;
}

export async function writeManifest(file: string, manifest: BackupManifest): Promise<string> {
  const path = manifestPathOf(file);
  await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  return path;
}

export async function readManifest(file: string): Promise<BackupManifest> {
  const path = manifestPathOf(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new OperationFailed(`manifest ${path} cannot be read: ${(error as Error).message}`, {
      hint: 'The manifest is written beside the backup file; a backup without it cannot be verified. Take a new backup.',
      cause: error,
    });
  }
  const parsed = manifestSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new OperationFailed(
      `manifest ${path} is not a valid opsctl manifest: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      {
        hint: 'Take a new backup; do not edit manifests by hand.',
      },
    );
  }
  return parsed.data;
}
