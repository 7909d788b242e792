import { NotFoundError } from '../src/errors.js';
import type { Operation } from './operation.js';

/**
 * Every operation by its dotted name, imported only when asked for. Faces that pick an operation at run time (the
 * bot, `opsctl validate`) resolve names here; each capability adds its lines.
 */
export const OPERATION_LOADERS: Record<string, () => Promise<Operation>> = {
  status: async () => (await import('./status.js')).status as Operation,
  'config.show': async () => (await import('./config.js')).configShow as Operation,
  'costs.report': async () => (await import('./costs/report.js')).costsReport as Operation,
  'costs.check': async () => (await import('./costs/check.js')).costsCheck as Operation,
  'costs.estimate': async () => (await import('./costs/estimate.js')).costsEstimate as Operation,
  'costs.snapshot': async () => (await import('./costs/snapshot.js')).costsSnapshot as Operation,
  validate: async () => (await import('./validate/index.js')).validate as Operation,
  'bot.start': async () => (await import('./bot/start.js')).botStart as Operation,
  'bot.health': async () => (await import('./bot/health.js')).botHealth as Operation,
  'spotify.login': async () => (await import('./spotify/login.js')).spotifyLoginOp as Operation,
  'etl.run': async () => (await import('./etl/run.js')).etlRun as Operation,
  'etl.history': async () => (await import('./etl/history.js')).etlHistory as Operation,
  'etl.show': async () => (await import('./etl/show.js')).etlShow as Operation,
  'etl.retention': async () => (await import('./etl/retention.js')).etlRetention as Operation,
  'migrate.status': async () => (await import('./migrate/status.js')).migrateStatus as Operation,
  'migrate.up': async () => (await import('./migrate/up.js')).migrateUp as Operation,
  'migrate.down': async () => (await import('./migrate/down.js')).migrateDown as Operation,
  'migrate.validate': async () => (await import('./migrate/validate.js')).migrateValidate as Operation,
  'migrate.create': async () => (await import('./migrate/create.js')).migrateCreate as Operation,
  'migrate.baseline': async () => (await import('./migrate/baseline.js')).migrateBaseline as Operation,
  'migrate.repair': async () => (await import('./migrate/repair.js')).migrateRepair as Operation,
  'backup.create': async () => (await import('./backup/create.js')).backupCreate as Operation,
  'backup.list': async () => (await import('./backup/list.js')).backupList as Operation,
  'backup.verify': async () => (await import('./backup/verify.js')).backupVerify as Operation,
  'backup.restore': async () => (await import('./backup/restore.js')).backupRestore as Operation,
  'backup.prune': async () => (await import('./backup/prune.js')).backupPrune as Operation,
  'backup.freshness': async () => (await import('./backup/freshness.js')).backupFreshness as Operation,
  'loadtest.run': async () => (await import('./loadtest/run.js')).loadtestRun as Operation,
  'loadtest.history': async () => (await import('./loadtest/history.js')).loadtestHistory as Operation,
  'loadtest.compare': async () => (await import('./loadtest/compare.js')).loadtestCompare as Operation,
  'sync.run': async () => (await import('./sync/run.js')).syncRun as Operation,
  'sync.status': async () => (await import('./sync/status.js')).syncStatus as Operation,
  'sync.setup': async () => (await import('./sync/setup.js')).syncSetup as Operation,
  'sync.cleanup': async () => (await import('./sync/cleanup.js')).syncCleanup as Operation,
  'sync.check': async () => (await import('./sync/check.js')).syncCheck as Operation,
  'watermarks.list': async () => (await import('./watermarks/list.js')).watermarksList as Operation,
  'watermarks.get': async () => (await import('./watermarks/get.js')).watermarksGet as Operation,
  'watermarks.set': async () => (await import('./watermarks/set.js')).watermarksSet as Operation,
  'watermarks.reset': async () => (await import('./watermarks/set.js')).watermarksReset as Operation,
};

export function hasOperation(name: string): boolean {
  return name in OPERATION_LOADERS;
}

export async function loadOperation(name: string): Promise<Operation> {
  const load = OPERATION_LOADERS[name];
  if (!load) throw new NotFoundError(`operation "${name}" is not part of this build of opsctl`, { hint: 'Run `opsctl --help` to see what this build can do.' });
  return load();
}
