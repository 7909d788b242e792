import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, createGunzip } from 'node:zlib';
import type { PGlite } from '@electric-sql/pglite';
import type { Config } from '../config/load.js';
import type { TargetConfig } from '../config/schema.js';
import { mysqlTargetSchema, postgresTargetSchema } from '../config/sections/targets.js';
import type { MysqlTarget } from '../db/mysql.js';
import type { PgliteTarget } from '../db/pglite.js';
import type { PostgresTarget } from '../db/postgres.js';
import { openTarget, type SqlTarget } from '../db/target.js';
import { OperationFailed } from '../errors.js';
import type { BackupEngine, TableCount } from './manifest.js';
import { scratchDatabaseName } from './paths.js';
import { countTables } from './tables.js';
import {
  checksumTables,
  withMysqlSnapshot,
  withPgliteTransaction,
  withPgReadOnly,
  type ContentChecksums,
} from './content.js';
import { quoteMysql, quotePg } from '../db/identifiers.js';
import {
  mysqlConnection,
  pgConnection,
  resolveTool,
  runTool,
  streamFileToTool,
  toolOutput,
  urlWithDatabase,
} from './tools.js';
import { splitStatements } from '../migrations/files.js';

export interface RestoreSource {
  id: string;
  engine: BackupEngine;
  path: string;
}

const RESTORE_HINT =
  "Read the restore tool's message above; a backup that does not restore is not a backup: take a new one and find out why.";

/** Loads a backup into a database of the same engine. `replace`: drop what the backup holds first (a real restore). */
async function loadInto(
  config: Config,
  backup: RestoreSource,
  into: { engine: 'postgres'; url: string } | { engine: 'mysql'; url: string; database: string },
  replace: boolean,
  signal: AbortSignal,
): Promise<void> {
  if (into.engine === 'postgres') {
    const tool = await resolveTool(config, 'pgRestore');
    const conn = pgConnection(into.url);
    try {
      await runTool({
        tool: tool.path,
        args: [
          '--no-owner',
          '--no-privileges',
          '--exit-on-error',
          '--single-transaction',
          '--no-password',
          ...(replace ? ['--clean', '--if-exists'] : []),
          ...conn.args,
          backup.path,
        ],
        env: conn.env,
        signal,
        what: `pg_restore of ${backup.id}`,
        hint: RESTORE_HINT,
      });
    } finally {
      conn.dispose();
    }
    return;
  }
  const tool = await resolveTool(config, 'mysql');
  const conn = mysqlConnection(into.url, into.database);
  await streamFileToTool({
    tool: tool.path,
    args: [...conn.args, '--default-character-set=utf8mb4', '--binary-mode', conn.database],
    env: conn.env,
    input: createReadStream(backup.path).pipe(createGunzip()),
    signal,
    what: `${tool.path} restore of ${backup.id}`,
    hint: RESTORE_HINT,
  });
}

/** The plain SQL of a PGlite backup (gzip). */
async function pgliteSql(path: string): Promise<string> {
  return gunzipSync(await readFile(path)).toString('utf8');
}

async function execPgliteDump(pg: PGlite, sql: string): Promise<void> {
  await pg.exec(sql);
  // The dump empties search_path for its session; give the session back its default.
  await pg.exec('RESET search_path');
}

/**
 * The restore drill: a scratch database opsctl creates on the target's server (PGlite: an in-memory instance),
 * the backup restored into it, every table counted (and, with `content`, checksummed the way the backup was), and the
 * scratch database dropped whatever happened.
 */
export async function restoreIntoScratch(
  config: Config,
  backup: RestoreSource,
  targetName: string,
  targetConfig: TargetConfig,
  signal: AbortSignal,
  onPhase?: (phase: string, note?: string) => void,
  options: { content?: boolean } = {},
): Promise<{ scratch: string; tables: TableCount[]; content?: ContentChecksums | undefined }> {
  if (targetConfig.engine !== backup.engine) {
    throw new OperationFailed(
      `backup ${backup.id} is ${backup.engine} but target "${targetName}" is now ${targetConfig.engine}`,
      {
        hint: "The drill runs on the server of the backup's target; point that target back at a server of the same engine.",
      },
    );
  }
  if (backup.engine === 'pglite') {
    const { PGlite } = await import('@electric-sql/pglite');
    const pg = await PGlite.create();
    try {
      onPhase?.('restore', 'in-memory PGlite');
      await execPgliteDump(pg, await pgliteSql(backup.path));
      onPhase?.('count', 'in-memory PGlite');
      const tables = await countTables(
        { query: async (sql, params) => (await pg.query(sql, params)).rows as never },
        'pglite',
      );
      if (!options.content) return { scratch: 'in-memory PGlite', tables };
      onPhase?.('content', 'in-memory PGlite');
      const content = await withPgliteTransaction(pg, (db) => checksumTables(db, 'pglite'));
      return { scratch: 'in-memory PGlite', tables, content };
    } catch (error) {
      throw new OperationFailed(`restoring ${backup.id} into a scratch PGlite failed: ${(error as Error).message}`, {
        hint: RESTORE_HINT,
        cause: error,
      });
    } finally {
      await pg.close().catch(() => undefined);
    }
  }
  const server = await openTarget(targetName, targetConfig, { signal });
  const scratch = scratchDatabaseName(targetName);
  let created = false;
  try {
    onPhase?.('scratch', scratch);
    if (backup.engine === 'postgres') await server.exec(`CREATE DATABASE ${quotePg(scratch)}`);
    else await server.exec(`CREATE DATABASE ${quoteMysql(scratch)} CHARACTER SET utf8mb4`);
    created = true;
    const url = urlWithDatabase((server as PostgresTarget | MysqlTarget).url, scratch);
    onPhase?.('restore', scratch);
    await loadInto(
      config,
      backup,
      backup.engine === 'postgres' ? { engine: 'postgres', url } : { engine: 'mysql', url, database: scratch },
      false,
      signal,
    );
    onPhase?.('count', scratch);
    const scratchTarget = await openTarget(
      `${targetName} (scratch)`,
      backup.engine === 'postgres'
        ? postgresTargetSchema.parse({ engine: 'postgres', url, pool: { max: 1 } })
        : mysqlTargetSchema.parse({ engine: 'mysql', url, pool: { max: 1 } }),
      { signal },
    );
    try {
      const tables = await countTables(scratchTarget, backup.engine);
      if (!options.content) return { scratch, tables };
      onPhase?.('content', scratch);
      const content =
        backup.engine === 'postgres'
          ? await withPgReadOnly((scratchTarget as PostgresTarget).native, (db) => checksumTables(db, 'postgres'))
          : await withMysqlSnapshot(scratchTarget as MysqlTarget, (db) => checksumTables(db, 'mysql'));
      return { scratch, tables, content };
    } finally {
      await scratchTarget.close();
    }
  } finally {
    if (created) {
      onPhase?.('drop', scratch);
      await dropScratch(server, backup.engine, scratch);
    }
    await server.close().catch(() => undefined);
  }
}

async function dropScratch(server: SqlTarget, engine: BackupEngine, scratch: string): Promise<void> {
  if (engine === 'mysql') {
    await server.exec(`DROP DATABASE IF EXISTS ${quoteMysql(scratch)}`);
    return;
  }
  try {
    await server.exec(`DROP DATABASE IF EXISTS ${quotePg(scratch)} WITH (FORCE)`);
  } catch {
    await server.exec(`DROP DATABASE IF EXISTS ${quotePg(scratch)}`);
  }
}

/** The target's tables before and after, so the restore can say what it replaced. */
export interface RestoreCounts {
  before: TableCount[];
  after: TableCount[];
}

/** What a restore did with the backup's GRANTs and REVOKEs (PostgreSQL). */
export interface PrivilegeRestore {
  /** false with --no-privileges (or an engine whose dump carries no separate privileges). */
  restored: boolean;
  statements: number;
  /** One per statement skipped because its role does not exist on this server. */
  warnings: string[];
}

/**
 * The backup's privileges, applied after the restore committed, as `pg_restore --no-owner` would apply them: the ACL
 * entries of the archive (pg_restore -l, then -L with only those) replayed one statement at a time, so a GRANT to a
 * role this server lacks is a warning and the rest still apply.
 */
async function restorePrivileges(
  config: Config,
  backup: RestoreSource,
  target: SqlTarget,
  signal: AbortSignal,
): Promise<PrivilegeRestore> {
  const tool = await resolveTool(config, 'pgRestore');
  const what = `pg_restore of ${backup.id}'s privileges`;
  const toc = await toolOutput({
    tool: tool.path,
    args: ['-l', backup.path],
    env: {},
    signal,
    what,
    hint: RESTORE_HINT,
  });
  const acl = toc.split('\n').filter((l) => /^\d+; \d+ \d+ (DEFAULT )?ACL /.test(l));
  if (acl.length === 0) return { restored: true, statements: 0, warnings: [] };
  const dir = await mkdtemp(join(tmpdir(), 'opsctl-acl-'));
  try {
    const list = join(dir, 'acl.list');
    await writeFile(list, `${acl.join('\n')}\n`, { mode: 0o600 });
    const sql = await toolOutput({
      tool: tool.path,
      args: ['-L', list, '-f', '-', backup.path],
      env: {},
      signal,
      what,
      hint: RESTORE_HINT,
    });
    const statements = splitStatements(sql, 'postgres')
      .map((s) => s.replace(/^(\s*--[^\n]*\n)*\s*/, ''))
      .filter((s) => /^(GRANT|REVOKE|ALTER DEFAULT PRIVILEGES)\b/i.test(s));
    const warnings: string[] = [];
    for (const statement of statements) {
      try {
        await target.query(statement);
      } catch (error) {
        if ((error as { code?: string }).code !== '42704') {
          throw new OperationFailed(
            `the data of ${backup.id} is restored, but one of its privileges failed: ${(error as Error).message} (${statement})`,
            {
              hint: 'Apply it by hand, or restore with --no-privileges and grant what the application needs.',
              cause: error,
            },
          );
        }
        warnings.push(`${statement}: skipped, ${(error as Error).message} on this server`);
      }
    }
    return { restored: true, statements: statements.length, warnings };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Restores into a target (the backup's own or another of the same engine). PostgreSQL: pg_restore --clean --if-exists
 * in one transaction (a failure leaves the target as it was). MySQL: the dump's DROP TABLE IF EXISTS + CREATE per
 * table. PGlite: every user schema is dropped and the dump replayed, in one transaction.
 */
export async function restoreIntoTarget(
  config: Config,
  backup: RestoreSource,
  targetName: string,
  targetConfig: TargetConfig,
  signal: AbortSignal,
  onPhase?: (phase: string, note?: string) => void,
  options: { privileges?: boolean } = {},
): Promise<RestoreCounts & { privileges: PrivilegeRestore }> {
  const target = await openTarget(targetName, targetConfig, { signal });
  let privileges: PrivilegeRestore = { restored: false, statements: 0, warnings: [] };
  try {
    onPhase?.('count', 'before');
    const before = await countTables(target, target.engine);
    onPhase?.('restore', targetName);
    if (target.engine === 'pglite') {
      const pg = (target as PgliteTarget).native;
      const sql = await pgliteSql(backup.path);
      const schemas = await target.query<{ nspname: string }>(
        "SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%'",
      );
      await pg.transaction(async (tx) => {
        for (const s of schemas) await tx.exec(`DROP SCHEMA ${quotePg(s.nspname)} CASCADE`);
        await tx.exec('CREATE SCHEMA public');
        await tx.exec(sql);
      });
      await pg.exec('RESET search_path');
    } else {
      const url = (target as PostgresTarget | MysqlTarget).url;
      await loadInto(
        config,
        backup,
        target.engine === 'postgres'
          ? { engine: 'postgres', url }
          : { engine: 'mysql', url, database: mysqlConnection(url).database },
        true,
        signal,
      );
      if (target.engine === 'postgres' && options.privileges !== false) {
        onPhase?.('privileges', targetName);
        privileges = await restorePrivileges(config, backup, target, signal);
      }
    }
    onPhase?.('count', 'after');
    return { before, after: await countTables(target, target.engine), privileges };
  } finally {
    await target.close().catch(() => undefined);
  }
}
