import type { Logger } from '../log/logger.js';
import { redactor } from '../log/redact.js';

import type { Progress } from '../../commands/operation.js';

export type ProgressEvent = Progress;

/**
 * Progress on stderr: one line rewritten in place on a terminal; on a pipe (cron, CI) a log record at each phase
 * change and at most one a second within a phase, so logs stay readable.
 */
export function createProgressReporter(options: { stream: NodeJS.WriteStream; quiet: boolean; log: Logger }) {
  const { stream, quiet, log } = options;
  const tty = Boolean(stream.isTTY);
  let lastPhase = '';
  let lastLogged = 0;
  let shown = false;
  const text = (p: ProgressEvent) => {
    const count = p.total !== undefined ? ` ${p.done ?? 0}/${p.total}` : p.done !== undefined ? ` ${p.done}` : '';
    const pct = p.total ? ` ${Math.floor(((p.done ?? 0) / p.total) * 100)}%` : '';
    return redactor.redact(`${p.phase}${count}${pct}${p.note ? ` ${p.note}` : ''}`);
  };
  return {
    report(p: ProgressEvent) {
      if (quiet) return;
      if (tty) {
        const width = (stream.columns ?? 80) - 1;
        stream.write(`\r\x1b[2K${text(p).slice(0, width)}`);
        shown = true;
        return;
      }
      const now = Date.now();
      if (p.phase !== lastPhase || now - lastLogged >= 1000) {
        lastPhase = p.phase;
        lastLogged = now;
        // A streamed result item is printed by the command itself; the log keeps the progress only.
        const { item: _item, ...fields } = p;
        log.info('progress', fields);
      }
    },
    clear() {
      if (tty && shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}
