import { createWriteStream } from 'node:fs';
import { chmod, mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Config } from '../config/load.js';
import type { TargetConfig } from '../config/schema.js';
import type { MysqlTarget } from '../db/mysql.js';
import type { PgliteTarget } from '../db/pglite.js';
import type { PostgresTarget } from '../db/postgres.js';
import { openTarget, type SqlTarget } from '../db/target.js';
import { CancelledError, OperationFailed } from '../errors.js';
import { writeManifest, type BackupManifest, type TableCount } from './manifest.js';
import { backupFilePath, backupId } from './paths.js';
import {
  checksumTables,
  CONTENT_METHOD,
  withMysqlSnapshot,
  withPgliteTransaction,
  type ContentChecksums,
  type ContentEngine,
} from './content.js';
import { countTables, type Queryable } from './tables.js';
import { HashTap, mysqlConnection, pgConnection, resolveTool, streamToolToFile } from './tools.js';
import { withOsErrors } from '../util/os-errors.js';

export interface DumpOptions {
  signal: AbortSignal;
  onPhase?: (phase: string, note?: string) => void;
  onBytes?: (bytes: number) => void;
  now?: () => Date;
}

export interface DumpResult {
  manifest: BackupManifest;
  path: string;
  manifestPath: string;
}

/**
 * Dumps one target into `<backups.dir>/<target>/`, with a manifest beside the file. PostgreSQL: pg_dump -Fc in a
 * snapshot exported by opsctl, so the row counts (taken in that snapshot while pg_dump runs) describe exactly what the
 * file holds. MySQL/MariaDB: mariadb-dump --single-transaction, gzip-compressed, counts taken just before. PGlite: the
 * WASM pg_dump of @electric-sql/pglite-tools (plain SQL), gzip-compressed.
 */
export async function dumpTarget(
  config: Config,
  name: string,
  targetConfig: TargetConfig,
  options: DumpOptions,
): Promise<DumpResult> {
  const now = options.now ?? (() => new Date());
  const started = now();
  const id = backupId(name, started);
  options.onPhase?.('connect', name);
  const target = await openTarget(name, targetConfig, { signal: options.signal });
  try {
    const serverVersion = await target.serverVersion();
    const format = target.engine === 'postgres' ? 'custom' : 'sql.gz';
    const path = backupFilePath(config.backups.dir, name, id, format);
    await withOsErrors({ key: 'backups.dir', what: `creating ${dirname(path)}`, config: true }, () =>
      mkdir(dirname(path), { recursive: true, mode: 0o700 }),
    );
    options.onPhase?.('dump', path);
    const content = config.backups.contentChecksums;
    const dumped =
      target.engine === 'postgres'
        ? await dumpPostgres(config, target as PostgresTarget, path, options, content)
        : target.engine === 'mysql'
          ? await dumpMysql(config, target as MysqlTarget, path, options, content)
          : await dumpPglite(target as PgliteTarget, path, options, content);
    const manifest: BackupManifest = {
      manifestVersion: 1,
      id,
      target: name,
      engine: target.engine,
      serverVersion,
      tool: dumped.tool,
      toolVersion: dumped.toolVersion,
      format,
      file: path.split('/').pop()!,
      sizeBytes: dumped.sizeBytes,
      sha256: dumped.sha256,
      startedAt: started.toISOString(),
      finishedAt: now().toISOString(),
      tables: dumped.tables,
      ...(dumped.content ? { content: { method: CONTENT_METHOD[target.engine], tables: dumped.content } } : {}),
    };
    const manifestPath = await writeManifest(path, manifest).catch(async (error: unknown) => {
      await rm(path, { force: true });
      throw new OperationFailed(`writing the manifest of ${path} failed: ${(error as Error).message}`, {
        hint: 'Check free space and permissions of backups.dir.',
        cause: error,
      });
    });
    return { manifest, path, manifestPath };
  } finally {
    await target.close().catch(() => undefined);
  }
}

interface Dumped {
  tool: string;
  toolVersion: string;
  sha256: string;
  sizeBytes: number;
  tables: TableCount[];
  content?: ContentChecksums | undefined;
}

/** Row counts, then (when asked) content checksums, on the same connection and snapshot. */
async function describeTables(
  db: Queryable,
  engine: ContentEngine,
  withContent: boolean,
): Promise<{ tables: TableCount[]; content?: ContentChecksums | undefined }> {
  const tables = await countTables(db, engine);
  return { tables, content: withContent ? await checksumTables(db, engine) : undefined };
}

async function dumpPostgres(
  config: Config,
  target: PostgresTarget,
  path: string,
  options: DumpOptions,
  withContent: boolean,
): Promise<Dumped> {
  const tool = await resolveTool(config, 'pgDump');
  const client = await target.native.connect();
  let cleanup = () => undefined as void;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snapshot = String((await client.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0]!.s);
    const conn = pgConnection(target.url);
    cleanup = conn.dispose;
    const dumping = streamToolToFile({
      tool: tool.path,
      args: ['--format=custom', `--snapshot=${snapshot}`, '--no-password', ...conn.args],
      env: conn.env,
      path,
      signal: options.signal,
      what: `pg_dump of target "${target.name}"`,
      hint: "Read pg_dump's message above: permissions (the role must read every table), a pg_dump older than the server (install a matching postgresql-client or set backups.tools.pgDump), or connectivity.",
      ...(options.onBytes ? { onBytes: options.onBytes } : {}),
    });
    // The counts and checksums run in the dump's own snapshot while pg_dump works, so they describe exactly what the
    // file holds and overlap its wall time.
    const counting = describeTables(
      { query: async (sql, params) => (await client.query(sql, params)).rows },
      'postgres',
      withContent,
    );
    const [dumped, tables] = await Promise.allSettled([dumping, counting]);
    if (dumped.status === 'rejected') throw dumped.reason;
    if (tables.status === 'rejected') {
      await rm(path, { force: true });
      throw new OperationFailed(
        `counting the rows of target "${target.name}" (or their content checksums) failed: ${(tables.reason as Error).message}`,
        { hint: 'The role must be able to read every table.', cause: tables.reason },
      );
    }
    return { tool: 'pg_dump', toolVersion: tool.version, ...dumped.value, ...tables.value };
  } finally {
    cleanup();
    await client.query('COMMIT').catch(() => undefined);
    client.release();
  }
}

async function dumpMysql(
  config: Config,
  target: MysqlTarget,
  path: string,
  options: DumpOptions,
  withContent: boolean,
): Promise<Dumped> {
  const tool = await resolveTool(config, 'mysqlDump');
  const conn = mysqlConnection(target.url);
  const described = await describeConsistently(target, withContent);
  const dumped = await streamToolToFile({
    tool: tool.path,
    args: [
      ...conn.args,
      '--single-transaction',
      '--routines',
      '--triggers',
      '--hex-blob',
      '--no-tablespaces',
      '--default-character-set=utf8mb4',
      '--skip-lock-tables',
      conn.database,
    ],
    env: conn.env,
    path,
    transforms: [createGzip({ level: 6 })],
    signal: options.signal,
    what: `${tool.path} of target "${target.name}"`,
    hint: "Read the dump tool's message above: privileges (SELECT, SHOW VIEW, TRIGGER, and for --routines SELECT on mysql.proc), or connectivity.",
    ...(options.onBytes ? { onBytes: options.onBytes } : {}),
  });
  return { tool: tool.path, toolVersion: tool.version, ...dumped, ...described };
}

/**
 * Row counts and checksums in one consistent snapshot (InnoDB), taken just before mariadb-dump starts its own. MariaDB
 * cannot hand a snapshot to another session, so a table written between the two snapshots fails a later verify (a
 * false alarm naming the table, never a false pass).
 */
async function describeConsistently(target: MysqlTarget, withContent: boolean) {
  return withMysqlSnapshot(target, (db) => describeTables(db, 'mysql', withContent));
}

async function dumpPglite(
  target: PgliteTarget,
  path: string,
  options: DumpOptions,
  withContent: boolean,
): Promise<Dumped> {
  const described = await withPgliteTransaction(target.native, (db) => describeTables(db, 'pglite', withContent));
  const { pgDump } = await import('@electric-sql/pglite-tools/pg_dump');
  // pglite-tools' WASM pg_dump writes into its virtual file system and hands back a File: the dump is in memory once
  // (PGlite databases are embedded and small); from there it streams through gzip and the hash to disk.
  const file = await pgDump({ pg: target.native, args: ['--no-owner', '--no-privileges'] });
  if (options.signal.aborted)
    throw new CancelledError('PGlite dump cancelled', { hint: 'Nothing was kept; run it again.' });
  const partial = `${path}.partial`;
  const tap = new HashTap();
  try {
    await pipeline(
      Readable.fromWeb(file.stream()),
      createGzip({ level: 6 }),
      tap,
      createWriteStream(partial, { mode: 0o600 }),
      { signal: options.signal },
    );
    await chmod(partial, 0o600);
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    throw new OperationFailed(`writing the PGlite dump of "${target.name}" failed: ${(error as Error).message}`, {
      hint: 'Check free space and permissions of backups.dir.',
      cause: error,
    });
  }
  return {
    tool: 'pglite-tools pg_dump',
    toolVersion: `@electric-sql/pglite-tools pg_dump (PostgreSQL ${await pgliteVersion(target)})`,
    sha256: tap.digest(),
    sizeBytes: tap.bytes,
    ...described,
  };
}

async function pgliteVersion(target: SqlTarget): Promise<string> {
  const [r] = await target.query<{ v: string }>("SELECT current_setting('server_version') AS v");
  return r?.v ?? '?';
}
