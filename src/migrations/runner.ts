import type { SqlTarget } from '../db/target.js';
import { OperationFailed, throwIfAborted, UsageError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { compareVersions, readMigrations } from './files.js';
import { deleteHistory, ensureHistory, insertHistory, readHistory, updateHistory } from './history.js';
import { openSession, whoAmI, type MigrationSession } from './session.js';
import { computeStatus, noFileAtAll, problemsOf } from './status.js';
import type {
  AppliedMigration,
  MigrateRunResult,
  MigrationFile,
  MigrationSection,
  PlannedMigration,
  TargetMigrationStatus,
} from './types.js';

export interface MigrationProgress {
  phase: string;
  done?: number;
  total?: number;
  note?: string;
}

export interface MigrateOptions {
  /** The target's folder of files. */
  dir: string;
  production?: boolean;
  lockTimeoutMs: number;
  signal?: AbortSignal;
  progress?: (p: MigrationProgress) => void;
  log?: Logger;
}

const preview = (sql: string) => sql.replace(/\s+/g, ' ').trim().slice(0, 80);
const label = (m: { version: string; name: string }) => `${m.version}_${m.name}`;

function baseOf(target: SqlTarget, options: MigrateOptions) {
  return {
    target: target.name,
    engine: target.engine,
    location: target.location,
    production: options.production ?? false,
    dir: options.dir,
  };
}

/** Reads files and history (never writes: the history table is not created) and merges them. */
export async function readStatus(
  target: SqlTarget,
  options: Pick<MigrateOptions, 'dir' | 'production'>,
): Promise<{ status: TargetMigrationStatus; files: MigrationFile[] }> {
  const o = { ...options, lockTimeoutMs: 0 };
  return withSession(target, o, false, async (session) => {
    const read = await statusIn(session, target, o);
    const dirty = read.status.dirty;
    // A row without an error whose writer still holds the lock is a migration in progress.
    if (dirty && dirty.error === null) {
      const holder = await session.holder().catch(() => null);
      if (holder) dirty.runningBy = holder;
    }
    return read;
  });
}

async function withSession<T>(
  target: SqlTarget,
  options: MigrateOptions,
  lock: boolean,
  fn: (s: MigrationSession) => Promise<T>,
): Promise<T> {
  const session = await openSession(target);
  let locked = false;
  try {
    if (lock) {
      options.progress?.({ phase: 'waiting for the migration lock' });
      await session.lock(options.lockTimeoutMs, options.signal);
      locked = true;
    }
    return await fn(session);
  } finally {
    if (locked) await session.unlock().catch(() => undefined);
    await session.release().catch(() => undefined);
  }
}

async function statusIn(session: MigrationSession, target: SqlTarget, options: MigrateOptions) {
  const files = readMigrations(options.dir, target.engine);
  const history = await readHistory(session);
  return { files, status: computeStatus(baseOf(target, options), files, history) };
}

function refuseOnProblems(status: TargetMigrationStatus, what: string): void {
  const problems = problemsOf(status);
  if (!problems.length) return;
  throw new OperationFailed(`${what} refused on target "${status.target}": ${problems.join('; ')}`, {
    hint: status.dirty
      ? 'Finish or undo the statements of the dirty migration by hand, then run `opsctl migrate repair` (with --completed if you finished them).'
      : 'Restore the applied file as it was, or accept the change with `opsctl migrate repair`.',
    details: { problems },
  });
}

/** Applies pending migrations in version order (up to `to`); with dryRun, returns the plan and changes nothing. */
export async function migrateUp(
  target: SqlTarget,
  options: MigrateOptions & { to?: string; dryRun?: boolean },
): Promise<MigrateRunResult> {
  return withSession(target, options, !options.dryRun, async (session) => {
    const { files, status } = await statusIn(session, target, options);
    refuseOnProblems(status, 'migrate up');
    if (options.to !== undefined && !files.some((f) => compareVersions(f.version, options.to!) === 0)) {
      throw new UsageError(`--to ${options.to}: no migration file with that version in ${options.dir}`, {
        hint: 'See `opsctl migrate status` for the versions.',
      });
    }
    const pendingVersions = new Set(status.pending.map((p) => p.version));
    const todo = files.filter(
      (f) =>
        pendingVersions.has(f.version) && (options.to === undefined || compareVersions(f.version, options.to) <= 0),
    );
    for (const f of todo) {
      if (f.up.statements.length === 0)
        throw new UsageError(`${f.path}: the up section is empty`, {
          hint: 'Write the SQL under "-- migrate:up", or delete the file.',
        });
    }
    const plan = todo.map((f) => planOf(f, 'up', f.up, target.engine));
    if (options.dryRun)
      return { target: target.name, engine: target.engine, dryRun: true, plan, done: [], current: status.current };
    await ensureHistory(session);
    const done: AppliedMigration[] = [];
    for (const [i, f] of todo.entries()) {
      throwIfAborted(options.signal);
      done.push(await runSection(session, f, 'up', f.up, { ...options, index: i, count: todo.length }));
    }
    const after = await readHistory(session);
    const current =
      after.rows
        .filter((r) => r.status !== 'dirty')
        .map((r) => r.version)
        .sort(compareVersions)
        .at(-1) ?? null;
    return { target: target.name, engine: target.engine, dryRun: false, plan, done, current };
  });
}

/** Rolls back the newest `steps` applied migrations with their down sections. */
export async function migrateDown(
  target: SqlTarget,
  options: MigrateOptions & { steps: number; dryRun?: boolean },
): Promise<MigrateRunResult> {
  return withSession(target, options, !options.dryRun, async (session) => {
    const { files, status } = await statusIn(session, target, options);
    refuseOnProblems(status, 'migrate down');
    const applied = status.applied
      .slice()
      .sort((a, b) => compareVersions(b.version, a.version))
      .slice(0, options.steps);
    if (applied.length === 0)
      throw new UsageError(`target "${target.name}" has no applied migration to roll back`, {
        hint: 'See `opsctl migrate status`.',
      });
    const todo = applied.map((e) => {
      if (e.state === 'baseline')
        throw new UsageError(
          `${label(e)} is the baseline: the schema before it was not made by opsctl, so down stops there`,
          { hint: `Use --steps ${applied.indexOf(e)} or fewer.` },
        );
      const f = files.find((x) => compareVersions(x.version, e.version) === 0)!;
      if (!f.down || f.down.statements.length === 0)
        throw new UsageError(`${f.path} has no "-- migrate:down" section: ${label(f)} cannot be rolled back`, {
          hint: 'Write the rollback SQL under "-- migrate:down" (editing an applied file is drift: run `opsctl migrate repair` after).',
        });
      return f;
    });
    const plan = todo.map((f) => planOf(f, 'down', f.down!, target.engine));
    if (options.dryRun)
      return { target: target.name, engine: target.engine, dryRun: true, plan, done: [], current: status.current };
    const done: AppliedMigration[] = [];
    for (const [i, f] of todo.entries()) {
      throwIfAborted(options.signal);
      done.push(await runSection(session, f, 'down', f.down!, { ...options, index: i, count: todo.length }));
    }
    const after = await readHistory(session);
    const current =
      after.rows
        .filter((r) => r.status !== 'dirty')
        .map((r) => r.version)
        .sort(compareVersions)
        .at(-1) ?? null;
    return { target: target.name, engine: target.engine, dryRun: false, plan, done, current };
  });
}

function planOf(
  f: MigrationFile,
  direction: 'up' | 'down',
  section: MigrationSection,
  engine: SqlTarget['engine'],
): PlannedMigration {
  return {
    version: f.version,
    name: f.name,
    direction,
    transaction: engine !== 'mysql' && section.transaction,
    statements: section.statements,
    ...(section.warnings?.length ? { warnings: section.warnings } : {}),
  };
}

/** Comments before a MySQL statement's first word (executable comments are statements, so they stay). */
const LEADING_COMMENTS = /^(?:\s+|--\s[^\n]*(?:\n|$)|#[^\n]*(?:\n|$)|\/\*(?!M?!)[\s\S]*?\*\/)*/;

/**
 * Runs one section. In a transaction (PostgreSQL, PGlite) a failure rolls everything back. Without one (MySQL, whose
 * DDL commits at once, or `transaction:false`) each statement is recorded as it finishes, so a failure leaves a dirty
 * row that says exactly which statements ran.
 */
async function runSection(
  session: MigrationSession,
  f: MigrationFile,
  direction: 'up' | 'down',
  section: MigrationSection,
  options: MigrateOptions & { index: number; count: number },
): Promise<AppliedMigration> {
  const total = section.statements.length;
  const transactional = session.engine !== 'mysql' && section.transaction;
  const phase = `${direction} ${label(f)} (${options.index + 1}/${options.count})`;
  const started = performance.now();
  const by = whoAmI();
  let i = 0;
  /** Set while opsctl writes its own history row: a failure there is not one of the file's statements. */
  let bookkeeping = false;
  /**
   * MySQL: between mysqldump's LOCK TABLES and UNLOCK TABLES the session may touch no other table, the history
   * included: the statement count is recorded again after UNLOCK TABLES (or before the error is recorded).
   */
  let tablesLocked = false;
  const step = async () => {
    for (i = 0; i < total; i++) {
      const sql = section.statements[i]!;
      options.progress?.({ phase, done: i, total, note: preview(sql) });
      await session.run(sql);
      if (session.engine === 'mysql') {
        const head = sql.replace(LEADING_COMMENTS, '');
        if (/^LOCK\s+TABLES?\b/i.test(head)) tablesLocked = true;
        else if (/^UNLOCK\s+TABLES?\b/i.test(head)) tablesLocked = false;
      }
      if (!transactional && !tablesLocked) {
        bookkeeping = true;
        await updateHistory(session, f.version, { statementsDone: i + 1 });
        bookkeeping = false;
      }
    }
    options.progress?.({ phase, done: total, total });
  };
  const historyFailed = (error: unknown, ran: number) =>
    `${direction} ${label(f)}: ${ran === total ? `all ${total} statements ran` : `statements 1-${ran} of ${total} ran`}, but recording it in ${session.historyTable} failed: ${(error as Error).message}`;
  if (transactional) {
    await session.run('BEGIN');
    try {
      await step();
      bookkeeping = true;
      if (direction === 'up') {
        await insertHistory(session, {
          version: f.version,
          name: f.name,
          checksum: f.checksum,
          status: 'applied',
          operation: 'up',
          statementsTotal: total,
          statementsDone: total,
          durationMs: performance.now() - started,
          appliedBy: by,
        });
      } else await deleteHistory(session, f.version);
      await session.run('COMMIT');
    } catch (error) {
      await session.run('ROLLBACK').catch(() => undefined);
      throw new OperationFailed(
        bookkeeping
          ? `${historyFailed(error, total)}; rolled back, nothing of it was applied`
          : `${direction} ${label(f)} failed at statement ${i + 1} of ${total}: ${(error as Error).message}; rolled back, nothing of it was applied`,
        {
          hint: bookkeeping
            ? `The file's statements succeeded; opsctl's own history write did not. Check that ${session.historyTable} is writable by this user.`
            : `Fix ${f.path} and run it again.`,
          cause: error,
          details: { version: f.version, statement: i + 1, sql: section.statements[i] },
        },
      );
    }
  } else {
    if (direction === 'up') {
      await insertHistory(session, {
        version: f.version,
        name: f.name,
        checksum: f.checksum,
        status: 'dirty',
        operation: 'up',
        statementsTotal: total,
        statementsDone: 0,
        durationMs: 0,
        appliedBy: by,
      });
    } else
      await updateHistory(session, f.version, {
        status: 'dirty',
        operation: 'down',
        statementsTotal: total,
        statementsDone: 0,
        error: null,
      });
    try {
      await step();
    } catch (error) {
      const message = (error as Error).message;
      if (i === 0 && !bookkeeping) {
        // Nothing of it ran: it stays what it was (pending, or applied for a down), not dirty.
        await (
          direction === 'up'
            ? deleteHistory(session, f.version)
            : updateHistory(session, f.version, { status: 'applied', operation: 'up', statementsDone: 0, error: null })
        ).catch(() => undefined);
        throw new OperationFailed(
          `${direction} ${label(f)} failed at its first statement (of ${total}): ${message}. No statement of it ran, so ${label(f)} is still ${direction === 'up' ? 'pending' : 'applied'} (not dirty)`,
          {
            hint: `Fix ${f.path} and run \`opsctl migrate ${direction}\` again.`,
            cause: error,
            details: { version: f.version, statement: 1, ran: [], failed: section.statements[0] },
          },
        );
      }
      const ran = bookkeeping ? i + 1 : i;
      if (tablesLocked) await session.run('UNLOCK TABLES').catch(() => undefined);
      await updateHistory(session, f.version, { statementsDone: ran, error: message.slice(0, 4000) }).catch(
        () => undefined,
      );
      throw new OperationFailed(
        bookkeeping
          ? `${historyFailed(error, ran)}. ${label(f)} may be left marked dirty`
          : `${direction} ${label(f)} failed at statement ${i + 1} of ${total}: ${message}. ` +
              `${ran === 1 ? 'Statement 1 ran and is' : `Statements 1-${ran} ran and are`} committed; ${label(f)} is marked dirty and migrate up refuses to go on`,
        {
          hint: 'Undo (or finish) those statements by hand, then run `opsctl migrate repair --yes` (add --completed if you finished them). `opsctl migrate status` lists them.',
          cause: error,
          details: {
            version: f.version,
            statement: i + 1,
            ran: section.statements.slice(0, i),
            failed: section.statements[i],
          },
        },
      );
    }
    if (direction === 'up')
      await updateHistory(session, f.version, {
        status: 'applied',
        durationMs: performance.now() - started,
        error: null,
      });
    else await deleteHistory(session, f.version);
  }
  return {
    version: f.version,
    name: f.name,
    direction,
    statements: total,
    durationMs: Math.round(performance.now() - started),
  };
}

/** Records every file up to `version` as applied without running it, for a database that already has the schema. */
export async function baselineTarget(
  target: SqlTarget,
  options: MigrateOptions & { version: string },
): Promise<{ target: string; version: string; baselined: Array<{ version: string; name: string }> }> {
  return withSession(target, options, true, async (session) => {
    const { files, status } = await statusIn(session, target, options);
    if (status.migrations.some((m) => m.state !== 'pending')) {
      throw new UsageError(
        `target "${target.name}" already has migration history (current ${status.current ?? 'none'}): baseline is for a database that has none`,
        { hint: 'Use `opsctl migrate status` to see it.' },
      );
    }
    if (!files.some((f) => compareVersions(f.version, options.version) === 0)) {
      throw new UsageError(`no migration file with version ${options.version} in ${options.dir}`, {
        hint: 'Baseline at the version of the newest file whose schema the database already has.',
      });
    }
    const chosen = files.filter((f) => compareVersions(f.version, options.version) <= 0);
    await ensureHistory(session);
    for (const f of chosen) {
      await insertHistory(session, {
        version: f.version,
        name: f.name,
        checksum: f.checksum,
        status: 'baseline',
        operation: 'up',
        statementsTotal: f.up.statements.length,
        statementsDone: 0,
        durationMs: 0,
        appliedBy: whoAmI(),
      });
    }
    return {
      target: target.name,
      version: options.version,
      baselined: chosen.map((f) => ({ version: f.version, name: f.name })),
    };
  });
}

export interface RepairAction {
  version: string;
  name: string;
  action:
    | 'cleared-dirty-now-pending'
    | 'cleared-dirty-now-applied'
    | 'cleared-dirty-rolled-back'
    | 'realigned-checksum'
    | 'removed-missing';
  detail: string;
}

/**
 * Makes the history agree with reality after the operator fixed things by hand: clears the dirty flag (the partial
 * statements were undone, or with `completed` finished), records the files' current checksums, forgets missing files.
 */
export async function repairTarget(
  target: SqlTarget,
  options: MigrateOptions & { completed?: boolean; dryRun?: boolean },
): Promise<{ target: string; actions: RepairAction[]; dryRun: boolean }> {
  return withSession(target, options, !options.dryRun, async (session) => {
    const { files, status } = await statusIn(session, target, options);
    const actions: RepairAction[] = [];
    const d = status.dirty;
    if (d) {
      const undoneUp = d.operation === 'up' && !options.completed;
      const finishedDown = d.operation === 'down' && options.completed;
      if (undoneUp || finishedDown) {
        actions.push({
          version: d.version,
          name: d.name,
          action: undoneUp ? 'cleared-dirty-now-pending' : 'cleared-dirty-rolled-back',
          detail: undoneUp
            ? 'removed from history: it is pending again'
            : 'the rollback was finished by hand: removed from history',
        });
        if (!options.dryRun) await deleteHistory(session, d.version);
      } else {
        const file = files.find((f) => compareVersions(f.version, d.version) === 0);
        actions.push({
          version: d.version,
          name: d.name,
          action: 'cleared-dirty-now-applied',
          detail:
            d.operation === 'up'
              ? 'finished by hand: recorded as applied'
              : 'the rollback was undone by hand: recorded as applied again',
        });
        if (!options.dryRun)
          await updateHistory(session, d.version, {
            status: 'applied',
            operation: 'up',
            error: null,
            statementsDone: d.statementsTotal,
            ...(file ? { checksum: file.checksum } : {}),
          });
      }
    }
    for (const e of status.drifted) {
      actions.push({
        version: e.version,
        name: e.name,
        action: 'realigned-checksum',
        detail: `recorded checksum ${e.checksum?.recorded?.slice(0, 12)} → ${e.checksum?.file?.slice(0, 12)} (the file's)`,
      });
      if (!options.dryRun) await updateHistory(session, e.version, { checksum: e.checksum!.file! });
    }
    if (noFileAtAll(status)) {
      throw new UsageError(
        `no migration file at all in ${status.dir}, yet ${status.missing.length} migrations are applied: the directory looks wrong, and repair would forget the whole history`,
        {
          hint: 'Point migrations.dir at the folder that holds the files (it is relative to the config file), then run `opsctl migrate status` again.',
        },
      );
    }
    for (const e of status.missing) {
      actions.push({
        version: e.version,
        name: e.name,
        action: 'removed-missing',
        detail: 'its file is gone: removed from history (its schema stays)',
      });
      if (!options.dryRun) await deleteHistory(session, e.version);
    }
    return { target: target.name, actions, dryRun: options.dryRun ?? false };
  });
}
