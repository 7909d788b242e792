import { compareVersions } from './files.js';
import type { DirtyMigration, HistoryRow, MigrationEntry, MigrationFile, TargetMigrationStatus } from './types.js';

const key = (v: string) => BigInt(v).toString();

/** Files and history merged: applied, baseline, pending (in or out of order), drifted, missing, dirty. */
export function computeStatus(
  base: Pick<TargetMigrationStatus, 'target' | 'engine' | 'location' | 'production' | 'dir'>,
  files: MigrationFile[],
  history: { exists: boolean; rows: HistoryRow[] },
): TargetMigrationStatus {
  const byVersion = new Map(files.map((f) => [key(f.version), f]));
  const rows = new Map(history.rows.map((r) => [key(r.version), r]));
  const entries: MigrationEntry[] = [];
  let dirty: DirtyMigration | null = null;
  const done = history.rows
    .filter((r) => r.status !== 'dirty')
    .map((r) => r.version)
    .sort(compareVersions);
  const current = done.at(-1) ?? null;
  for (const r of history.rows) {
    const file = byVersion.get(key(r.version));
    const common = {
      version: r.version,
      name: r.name,
      appliedAt: r.appliedAt,
      durationMs: r.durationMs,
      appliedBy: r.appliedBy,
      ...(file ? { file: file.path } : {}),
    };
    if (r.status === 'dirty') {
      dirty = dirtyOf(r, file);
      entries.push({ ...common, state: 'dirty' });
    } else if (!file) {
      entries.push({ ...common, state: 'missing', checksum: { recorded: r.checksum } });
    } else if (file.checksum !== r.checksum) {
      entries.push({ ...common, state: 'drifted', checksum: { file: file.checksum, recorded: r.checksum } });
    } else {
      entries.push({ ...common, state: r.status === 'baseline' ? 'baseline' : 'applied' });
    }
  }
  for (const f of files) {
    if (rows.has(key(f.version))) continue;
    entries.push({
      version: f.version,
      name: f.name,
      state: 'pending',
      file: f.path,
      ...(current !== null && compareVersions(f.version, current) < 0 ? { outOfOrder: true } : {}),
    });
  }
  entries.sort((a, b) => compareVersions(a.version, b.version));
  const of = (...states: MigrationEntry['state'][]) => entries.filter((e) => states.includes(e.state));
  const warnings = splitWarnings(files);
  return {
    ...base,
    ...(warnings.length ? { warnings } : {}),
    historyExists: history.exists,
    current,
    migrations: entries,
    applied: of('applied', 'baseline', 'drifted'),
    pending: of('pending'),
    drifted: of('drifted'),
    missing: of('missing'),
    dirty,
  };
}

function dirtyOf(r: HistoryRow, file: MigrationFile | undefined): DirtyMigration {
  const section = r.operation === 'down' ? file?.down : file?.up;
  const statements = section?.statements ?? [];
  const failedStatement = r.error !== null && r.statementsDone < r.statementsTotal ? r.statementsDone + 1 : null;
  return {
    version: r.version,
    name: r.name,
    operation: r.operation,
    statementsTotal: r.statementsTotal,
    statementsDone: r.statementsDone,
    failedStatement,
    error: r.error,
    ran: statements.slice(0, r.statementsDone),
    ...(failedStatement !== null && statements[failedStatement - 1]
      ? { failed: statements[failedStatement - 1]! }
      : {}),
    notRun: statements.slice(failedStatement ?? r.statementsDone),
  };
}

/** What the splitter could not place, file by file: shown by status, validate and --dry-run before anything runs. */
export function splitWarnings(files: MigrationFile[]): string[] {
  return files.flatMap((f) =>
    (['up', 'down'] as const).flatMap((dir) =>
      (f[dir]?.warnings ?? []).map((w) => `${f.version}_${f.name} (migrate:${dir}): ${w}`),
    ),
  );
}

/** Problems that make `migrate up` refuse and `migrate validate` fail. */
export function problemsOf(s: TargetMigrationStatus): string[] {
  const out: string[] = [];
  if (s.dirty?.runningBy) {
    const d = s.dirty;
    out.push(
      `${d.version}_${d.name} is being ${d.operation === 'up' ? 'applied' : 'rolled back'} by ${d.runningBy}: ${d.statementsDone} of ${d.statementsTotal} statements done`,
    );
  } else if (s.dirty) {
    const d = s.dirty;
    out.push(
      `${d.version}_${d.name} is dirty: ${d.operation} stopped after ${d.statementsDone} of ${d.statementsTotal} statements` +
        (d.failedStatement
          ? `; statement ${d.failedStatement} failed: ${d.error ?? '?'}`
          : ' (the process stopped between statements)'),
    );
  }
  for (const e of s.drifted)
    out.push(
      `${e.version}_${e.name} changed after it was applied: ${e.file} has checksum ${e.checksum?.file?.slice(0, 12)}, the database recorded ${e.checksum?.recorded?.slice(0, 12)}`,
    );
  if (noFileAtAll(s)) {
    out.push(
      `${s.missing.length} applied migrations but no migration file at all in ${s.dir}: the directory looks wrong (check migrations.dir and where the config file is), not ${s.missing.length} missing files`,
    );
  } else {
    for (const e of s.missing) out.push(`${e.version}_${e.name} is applied but its file is missing from ${s.dir}`);
  }
  return out;
}

/**
 * Every applied migration "missing" and not one file found: the folder is wrong (a relative migrations.dir from
 * another working directory), not the files. Repair must not forget the history then.
 */
export function noFileAtAll(s: TargetMigrationStatus): boolean {
  return s.missing.length > 0 && s.migrations.every((e) => e.file === undefined);
}
