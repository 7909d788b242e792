import { age, bold, capped, code, esc, lines, statusIcon } from '../format.js';
import { bool, list, seconds, str } from '../shape.js';
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

export interface WatermarkView {
  /** `pipeline/table`, or the table alone. */
  name: string;
  pipeline: string | undefined;
  table: string;
  value: string | undefined;
  lagSec: number | undefined;
  limitSec: number | undefined;
  lagging: boolean;
}

/** Reads one item of `watermarks.list`, whatever its field names. */
export function watermarkView(item: unknown): WatermarkView {
  const table = str(item, 'table', 'tableName', 'table_name', 'name') ?? '?';
  const pipeline = str(item, 'pipeline');
  const lagSec = seconds(item, { s: ['lagSeconds', 'lagSec', 'lag.seconds'], ms: ['lagMs', 'lag.ms'], h: ['lagHours'] });
  const limitSec = seconds(item, {
    s: ['limitSeconds', 'maxLagSeconds', 'lagLimitSeconds'],
    ms: ['limitMs', 'maxLagMs', 'lagLimitMs'],
    h: ['limitHours', 'maxLagHours', 'lagLimitHours'],
  });
  const flagged = bool(item, 'lagging', 'stale', 'overLimit', 'breached') ?? ['lagging', 'stale', 'late'].includes(str(item, 'status', 'lagStatus') ?? '');
  return {
    name: pipeline && pipeline !== table ? `${pipeline}/${table}` : table,
    pipeline,
    table,
    value: str(item, 'value', 'watermark', 'current'),
    lagSec,
    limitSec,
    lagging: flagged || (lagSec !== undefined && limitSec !== undefined && lagSec > limitSec),
  };
}

export function formatWatermarks(result: unknown): string {
  const items = list(result, 'watermarks', 'tables', 'items').map(watermarkView);
  if (items.length === 0) return lines(bold('Watermarks'), esc('No watermarks yet: no sync has run.'));
  const lagging = items.filter((w) => w.lagging).length;
  return lines(
    `${bold('Watermarks')}${lagging ? ` · ⚠️ ${lagging} lagging` : ''}`,
    ...capped(items, 15, (w) => {
      const lag = w.lagSec === undefined ? '' : ` · lag ${age(w.lagSec)}${w.lagging && w.limitSec !== undefined ? ` (limit ${age(w.limitSec)})` : ''}`;
      return `${statusIcon(w.lagging ? 'stale' : 'ok')} ${bold(w.name)} ${w.value ? code(w.value) : esc('(none)')}${esc(lag)}`;
    }),
  );
}
