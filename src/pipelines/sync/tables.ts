import type { Config } from '../../config/load.js';
import { parseDuration } from '../../config/sections/common.js';
import type { SyncColumnType, SyncTableConfig } from '../../config/sections/sync-tables.js';
import { NotFoundError } from '../../errors.js';
import type { WatermarkType } from '../../state/watermarks.js';
import { watermarkTypeOf } from './values.js';

/** One configured sync table, resolved: its pipeline, target, columns in order and watermark type. */
export interface SyncTable {
  pipeline: string;
  name: string;
  target: string;
  enabled: boolean;
  config: SyncTableConfig;
  columns: Array<{ name: string; type: SyncColumnType }>;
  key: string[];
  incremental: string;
  incrementalType: SyncColumnType;
  watermarkType: WatermarkType;
  lookbackDays: number;
  /** max_lag in seconds, when configured. */
  limitSeconds: number | null;
}

export type SyncPipelineConfig = Extract<Config['pipelines'][string], { kind: 'sync' }>;

export function resolveTable(pipeline: string, p: SyncPipelineConfig, name: string, t: SyncTableConfig): SyncTable {
  const columns = Object.entries(t.columns).map(([n, type]) => ({ name: n, type }));
  const incrementalType = t.columns[t.incremental_column]!;
  return {
    pipeline,
    name,
    target: p.target,
    enabled: p.enabled,
    config: t,
    columns,
    key: t.primary_key,
    incremental: t.incremental_column,
    incrementalType,
    watermarkType: watermarkTypeOf(incrementalType),
    lookbackDays: t.lookback_days,
    limitSeconds: t.max_lag ? Math.round((parseDuration(t.max_lag) ?? 0) / 1000) : null,
  };
}

/** The sync pipelines of the config, by name. */
export function syncPipelines(config: Config): Array<[string, SyncPipelineConfig]> {
  return Object.entries(config.pipelines).filter((e): e is [string, SyncPipelineConfig] => e[1].kind === 'sync');
}

/** Every configured sync table, in config order. */
export function allSyncTables(config: Config): SyncTable[] {
  return syncPipelines(config).flatMap(([name, p]) =>
    Object.entries(p.tables).map(([t, tc]) => resolveTable(name, p, t, tc)),
  );
}

/**
 * Finds tables by `table` or `pipeline/table`. Without a selector, all of them. An unknown or ambiguous name is a
 * NotFoundError naming the configured ones.
 */
export function selectSyncTables(config: Config, selector?: string): SyncTable[] {
  const all = allSyncTables(config);
  if (!selector) return all;
  const [pipeline, table] = selector.includes('/') ? selector.split('/', 2) : [undefined, selector];
  const found = all.filter((t) => t.name === table && (pipeline === undefined || t.pipeline === pipeline));
  const names = all.map((t) => `${t.pipeline}/${t.name}`).join(', ') || '(none configured)';
  if (found.length === 0)
    throw new NotFoundError(`no sync table "${selector}"`, { hint: `Configured sync tables: ${names}.` });
  if (found.length > 1)
    throw new NotFoundError(`"${selector}" names a table in several sync pipelines`, {
      hint: `Say which: ${found.map((t) => `${t.pipeline}/${t.name}`).join(', ')}.`,
    });
  return found;
}
