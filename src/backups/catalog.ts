import type { SqlRunner } from '../state/store.js';
import { parseJson, redactText, toJson } from '../state/json.js';
import type { BackupEngine, BackupFormat, BackupManifest, TableCount } from './manifest.js';

/** One backup in the catalog, as every face shows it. */
export interface BackupEntry {
  id: string;
  target: string;
  engine: BackupEngine;
  path: string;
  format: BackupFormat;
  sizeBytes: number;
  sha256: string;
  serverVersion: string;
  tool: string;
  startedAt: string;
  finishedAt: string;
  /** A restore drill passed (checksum, restore into a scratch database, row counts equal). */
  verified: boolean;
  /** The last drill's outcome, if one ran. */
  verifyStatus: 'passed' | 'failed' | null;
  verifiedAt: string | null;
  verifyError: string | null;
  tables: TableCount[];
}

function toEntry(r: Record<string, unknown>): BackupEntry {
  const manifest = parseJson<BackupManifest>(r.manifest);
  const status = r.verify_status === 'passed' || r.verify_status === 'failed' ? r.verify_status : null;
  return {
    id: String(r.id),
    target: String(r.target),
    engine: String(r.engine) as BackupEngine,
    path: String(r.path),
    format: String(r.format) as BackupFormat,
    sizeBytes: Number(r.size_bytes),
    sha256: String(r.sha256),
    serverVersion: String(r.server_version),
    tool: String(r.tool),
    startedAt: String(r.started_at),
    finishedAt: String(r.finished_at),
    verified: status === 'passed',
    verifyStatus: status,
    verifiedAt: r.verified_at === null || r.verified_at === undefined ? null : String(r.verified_at),
    verifyError: r.verify_error === null || r.verify_error === undefined ? null : String(r.verify_error),
    tables: manifest?.tables ?? [],
  };
}

export async function insertBackup(db: SqlRunner, m: BackupManifest, path: string): Promise<BackupEntry> {
  await db.run(
    `INSERT INTO backups (id, target, engine, path, format, size_bytes, sha256, server_version, tool, started_at, finished_at, manifest)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      m.id,
      m.target,
      m.engine,
      path,
      m.format,
      m.sizeBytes,
      m.sha256,
      m.serverVersion,
      m.toolVersion,
      m.startedAt,
      m.finishedAt,
      toJson(m),
    ],
  );
  return (await getBackup(db, m.id))!;
}

export async function getBackup(db: SqlRunner, id: string): Promise<BackupEntry | undefined> {
  const [row] = await db.query<Record<string, unknown>>('SELECT * FROM backups WHERE id = ?', [id]);
  return row ? toEntry(row) : undefined;
}

/** Newest first. */
export async function listBackups(db: SqlRunner, filter: { target?: string } = {}): Promise<BackupEntry[]> {
  const rows = filter.target
    ? await db.query<Record<string, unknown>>(
        'SELECT * FROM backups WHERE target = ? ORDER BY finished_at DESC, id DESC',
        [filter.target],
      )
    : await db.query<Record<string, unknown>>('SELECT * FROM backups ORDER BY target, finished_at DESC, id DESC');
  return rows.map(toEntry);
}

export async function recordVerification(
  db: SqlRunner,
  id: string,
  outcome: { status: 'passed' | 'failed'; at: string; error?: string | null; details?: unknown },
): Promise<void> {
  await db.run(
    'UPDATE backups SET verify_status = ?, verified_at = ?, verify_error = ?, verify_details = ? WHERE id = ?',
    [outcome.status, outcome.at, redactText(outcome.error ?? null), toJson(outcome.details ?? null), id],
  );
}

export async function deleteBackupEntry(db: SqlRunner, id: string): Promise<void> {
  await db.run('DELETE FROM backups WHERE id = ?', [id]);
}
