import type { SyncTableStatus } from '../../pipelines/sync/status.js';
import { age, bold, capped, code, esc, lines, statusIcon } from '../format.js';
import type { BotCommand } from './types.js';

/** `/watermarks`: each synced table's watermark and how far it lags, from `watermarks.list`. */
export const watermarksCommand: BotCommand = {
  name: 'watermarks',
  description: 'Sync watermarks and how far they lag',
  operations: ['watermarks.list'],
  async run(request) {
    return formatWatermarks(await request.invoke('watermarks.list', {}));
  },
};

/** The part of `watermarks.list`'s items the bot shows (`SyncTableStatus`). */
export type WatermarkItem = Pick<SyncTableStatus, 'pipeline' | 'table' | 'value' | 'lagSeconds' | 'limitSeconds'> &
  Partial<Pick<SyncTableStatus, 'lagging'>>;

export interface WatermarkView {
  /** `pipeline/table`. */
  name: string;
  pipeline: string;
  table: string;
  value: string | undefined;
  lagSec: number | undefined;
  limitSec: number | undefined;
  lagging: boolean;
}

/** `watermarks.list` returns `{ watermarks: SyncTableStatus[] }`; a bare array of items is read the same way. */
export function watermarkItems(result: unknown): WatermarkItem[] {
  const items = Array.isArray(result) ? result : ((result as { watermarks?: unknown } | null)?.watermarks ?? []);
  return Array.isArray(items) ? (items as WatermarkItem[]) : [];
}

export function watermarkView(w: WatermarkItem): WatermarkView {
  const lagSec = w.lagSeconds ?? undefined;
  const limitSec = w.limitSeconds ?? undefined;
  return {
    name: w.pipeline && w.pipeline !== w.table ? `${w.pipeline}/${w.table}` : w.table,
    pipeline: w.pipeline,
    table: w.table,
    value: w.value ?? undefined,
    lagSec,
    limitSec,
    lagging: w.lagging ?? (lagSec !== undefined && limitSec !== undefined && lagSec > limitSec),
  };
}

export function formatWatermarks(result: unknown): string {
  const items = watermarkItems(result).map(watermarkView);
  if (items.length === 0) return lines(bold('Watermarks'), esc('No watermarks yet: no sync has run.'));
  const lagging = items.filter((w) => w.lagging).length;
  return lines(
    `${bold('Watermarks')}${lagging ? ` · ⚠️ ${lagging} lagging` : ''}`,
    ...capped(items, 15, (w) => {
      const lag =
        w.lagSec === undefined
          ? ''
          : ` · lag ${age(w.lagSec)}${w.lagging && w.limitSec !== undefined ? ` (limit ${age(w.limitSec)})` : ''}`;
      return `${statusIcon(w.lagging ? 'stale' : 'ok')} ${bold(w.name)} ${w.value ? code(w.value) : esc('(none)')}${esc(lag)}`;
    }),
  );
}
