import type { ResultFor } from '../../../commands/catalog.js';
import { duration } from '../../format.js';
import { bold, capped, code, esc, lines, statusIcon } from '../format.js';
import type { BotCommand } from './types.js';

/** One synced table as `watermarks.list` returns it. */
export type Watermark = ResultFor<'watermarks.list'>['watermarks'][number];

/** `/watermarks`: each synced table's watermark and how far it lags, from `watermarks.list`. */
export const watermarksCommand: BotCommand = {
  name: 'watermarks',
  description: 'Sync watermarks and how far they lag',
  async run(request) {
    return formatWatermarks(await request.invoke('watermarks.list', {}));
  },
};

/** `pipeline/table`, or the table alone when the pipeline is named after it. */
export function watermarkName(w: Watermark): string {
  return w.pipeline && w.pipeline !== w.table ? `${w.pipeline}/${w.table}` : w.table;
}

/** "lag 2d00h (limit 1d12h)": the limit only when the lag is beyond it. */
export function lagText(w: Watermark): string | undefined {
  if (w.lagSeconds === null) return undefined;
  const limit = w.lagging && w.limitSeconds !== null ? ` (limit ${duration(w.limitSeconds * 1000)})` : '';
  return `lag ${duration(w.lagSeconds * 1000)}${limit}`;
}

export function formatWatermarks(result: ResultFor<'watermarks.list'>): string {
  const items = result.watermarks;
  if (items.length === 0) return lines(bold('Watermarks'), esc('No watermarks yet: no sync has run.'));
  const lagging = items.filter((w) => w.lagging).length;
  return lines(
    `${bold('Watermarks')}${lagging ? ` · ⚠️ ${lagging} lagging` : ''}`,
    ...capped(items, 15, (w) => {
      const lag = lagText(w);
      return `${statusIcon(w.lagging ? 'stale' : 'ok')} ${bold(watermarkName(w))} ${w.value ? code(w.value) : esc('(none)')}${lag ? esc(` · ${lag}`) : ''}`;
    }),
  );
}
