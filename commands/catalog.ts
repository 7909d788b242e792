import type { z } from 'zod';
import { NotFoundError } from '../src/errors.js';
import type { LoadtestLive } from './loadtest/run.js';
import { invoke, type OperationContext, type ResultOf } from './operation.js';
import type { CheckResult } from './validate/types.js';

/**
 * The operation catalog: the one map from a dotted name to its operation, and the only way a face (CLI, console,
 * bot, validate) reaches one. Each module is imported on first use, so `opsctl --help` loads none of them; the input
 * and result types follow from the name (`run('backup.list', ctx, {})` is a `Promise<BackupListResult>`).
 * A capability adds one line here.
 */
const LOADERS = {
  status: () => import('./status.js').then((m) => m.status),
  health: () => import('./health.js').then((m) => m.health),
  'status.triage': () => import('./triage/index.js').then((m) => m.statusTriage),
  'db.top': () => import('./db/vitals.js').then((m) => m.dbTop),
  'db.slow': () => import('./db/vitals.js').then((m) => m.dbSlow),
  'db.indexes': () => import('./db/vitals.js').then((m) => m.dbIndexes),
  'db.cancel': () => import('./db/vitals.js').then((m) => m.dbCancel),
  'db.terminate': () => import('./db/vitals.js').then((m) => m.dbTerminate),
  'db.maintain': () => import('./db/vitals.js').then((m) => m.dbMaintain),
  'config.show': () => import('./config.js').then((m) => m.configShow),
  'costs.report': () => import('./costs/report.js').then((m) => m.costsReport),
  'costs.check': () => import('./costs/check.js').then((m) => m.costsCheck),
  'costs.estimate': () => import('./costs/estimate.js').then((m) => m.costsEstimate),
  'costs.snapshot': () => import('./costs/snapshot.js').then((m) => m.costsSnapshot),
  validate: () => import('./validate/index.js').then((m) => m.validate),
  'bot.start': () => import('./bot/start.js').then((m) => m.botStart),
  'bot.health': () => import('./bot/health.js').then((m) => m.botHealth),
  'spotify.login': () => import('./spotify/login.js').then((m) => m.spotifyLoginOp),
  'demo.run': () => import('./demo/index.js').then((m) => m.demo),
  'etl.run': () => import('./etl/run.js').then((m) => m.etlRun),
  'etl.history': () => import('./etl/history.js').then((m) => m.etlHistory),
  'etl.show': () => import('./etl/show.js').then((m) => m.etlShow),
  'etl.retention': () => import('./etl/retention.js').then((m) => m.etlRetention),
  'migrate.status': () => import('./migrate/status.js').then((m) => m.migrateStatus),
  'migrate.up': () => import('./migrate/up.js').then((m) => m.migrateUp),
  'migrate.down': () => import('./migrate/down.js').then((m) => m.migrateDown),
  'migrate.validate': () => import('./migrate/validate.js').then((m) => m.migrateValidate),
  'migrate.create': () => import('./migrate/create.js').then((m) => m.migrateCreate),
  'migrate.baseline': () => import('./migrate/baseline.js').then((m) => m.migrateBaseline),
  'migrate.repair': () => import('./migrate/repair.js').then((m) => m.migrateRepair),
  'backup.create': () => import('./backup/create.js').then((m) => m.backupCreate),
  'backup.list': () => import('./backup/list.js').then((m) => m.backupList),
  'backup.verify': () => import('./backup/verify.js').then((m) => m.backupVerify),
  'backup.restore': () => import('./backup/restore.js').then((m) => m.backupRestore),
  'backup.prune': () => import('./backup/prune.js').then((m) => m.backupPrune),
  'backup.freshness': () => import('./backup/freshness.js').then((m) => m.backupFreshness),
  'loadtest.run': () => import('./loadtest/run.js').then((m) => m.loadtestRun),
  'loadtest.history': () => import('./loadtest/history.js').then((m) => m.loadtestHistory),
  'loadtest.compare': () => import('./loadtest/compare.js').then((m) => m.loadtestCompare),
  'sync.run': () => import('./sync/run.js').then((m) => m.syncRun),
  'sync.status': () => import('./sync/status.js').then((m) => m.syncStatus),
  'sync.setup': () => import('./sync/setup.js').then((m) => m.syncSetup),
  'sync.cleanup': () => import('./sync/cleanup.js').then((m) => m.syncCleanup),
  'sync.check': () => import('./sync/check.js').then((m) => m.syncCheck),
  'quarantine.list': () => import('./quarantine/list.js').then((m) => m.quarantineList),
  'quarantine.show': () => import('./quarantine/show.js').then((m) => m.quarantineShow),
  'quarantine.purge': () => import('./quarantine/purge.js').then((m) => m.quarantinePurge),
  'state.prune': () => import('./state/prune.js').then((m) => m.statePrune),
  'state.stats': () => import('./state/stats.js').then((m) => m.stateStatsOp),
  'watermarks.list': () => import('./watermarks/list.js').then((m) => m.watermarksList),
  'watermarks.get': () => import('./watermarks/get.js').then((m) => m.watermarksGet),
  'watermarks.set': () => import('./watermarks/set.js').then((m) => m.watermarksSet),
  'watermarks.reset': () => import('./watermarks/set.js').then((m) => m.watermarksReset),
};

type Loaders = typeof LOADERS;
export type OperationName = keyof Loaders;
/** The operation registered under `N`, with its own input schema and result type. */
export type OperationNamed<N extends OperationName> = Awaited<ReturnType<Loaders[N]>>;
/** What a face passes to operation `N` (before defaults: the zod input type). */
export type InputFor<N extends OperationName> = z.input<OperationNamed<N>['input']>;
/** What operation `N` resolves to. */
export type ResultFor<N extends OperationName> = ResultOf<OperationNamed<N>>;

/**
 * What a progress report's `item` carries, for the operations that stream pieces of their result (a load test's live
 * tick, validate's finished checks); every other operation's item is `unknown`.
 */
interface ProgressItems {
  'loadtest.run': LoadtestLive;
  validate: CheckResult;
}
export type ProgressItemFor<N extends OperationName> = N extends keyof ProgressItems ? ProgressItems[N] : unknown;

export const OPERATION_NAMES = Object.keys(LOADERS) as OperationName[];

export function isOperationName(name: string): name is OperationName {
  return Object.hasOwn(LOADERS, name);
}

/** The operation itself (faces that show its name or summary); `run` is what calls it. */
export async function loadOperation<N extends OperationName>(name: N): Promise<OperationNamed<N>> {
  if (!isOperationName(name)) {
    throw new NotFoundError(`operation "${String(name)}" is not part of opsctl`, {
      hint: 'Run `opsctl --help` to see what opsctl can do.',
    });
  }
  return (await LOADERS[name]()) as OperationNamed<N>;
}

/** Validates the input against the operation's schema, then runs it: the one call every face makes. */
export async function run<N extends OperationName>(
  name: N,
  ctx: OperationContext,
  input: InputFor<N>,
): Promise<ResultFor<N>> {
  const operation = await loadOperation(name);
  return invoke<z.ZodType, ResultFor<N>>(operation as never, ctx, input);
}
