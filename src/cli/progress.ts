import type { Logger } from '../log/logger.js';
import { redactor } from '../log/redact.js';

import type { Progress } from '../../commands/operation.js';

export type ProgressEvent = Progress;

/**
 * The one line a terminal's stderr keeps live (the progress line). Everything else opsctl writes to stderr goes
 * through `write`, which clears the live line first and redraws it after, so a log record or an error is never glued
 * onto it. On a pipe there is no live line and `write` writes.
 */
export interface LiveLine {
  show(text: string): void;
  clear(): void;
  /** Whole lines (ending in a newline), printed above the live line. */
  write(text: string): void;
}

export function createLiveLine(stream: NodeJS.WriteStream): LiveLine {
  const tty = Boolean(stream.isTTY);
  let current = '';
  return {
    show(text) {
      if (!tty) return;
      current = text;
      stream.write(`\r\x1b[2K${text}`);
    },
    clear() {
      if (current) stream.write('\r\x1b[2K');
      current = '';
    },
    write(text) {
      if (!current) {
        stream.write(text);
        return;
      }
      stream.write(`\r\x1b[2K${text}${current}`);
    },
  };
}

/**
 * Progress on stderr: one line rewritten in place on a terminal; on a pipe (cron, CI) a log record at each phase
 * change and at most one a second within a phase, so logs stay readable.
 */
export function createProgressReporter(options: {
  stream: NodeJS.WriteStream;
  quiet: boolean;
  log: Logger;
  line?: LiveLine;
}) {
  const { stream, quiet, log } = options;
  const line = options.line ?? createLiveLine(stream);
  const tty = Boolean(stream.isTTY);
  let lastPhase = '';
  let lastLogged = 0;
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
        line.show(text(p).slice(0, width));
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
      line.clear();
    },
  };
}
