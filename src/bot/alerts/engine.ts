import { errorMessage } from '../../errors.js';
import type { Logger } from '../../log/logger.js';
import { closeIncident, listOpenIncidents, openIncident } from '../../state/bot.js';
import type { SqlRunner } from '../../state/store.js';
import { bold, esc, lines } from '../format.js';
import { describeSourceError } from './sources.js';
import type { AlertContext, AlertSource, GaugeSample, Incident } from './types.js';

/** Where alerts go: the allowlisted chats. */
export interface AlertNotifier {
  chats: readonly number[];
  send(chatId: number, html: string): Promise<void>;
}

export type SourceStatus = 'ok' | 'error';

export interface AlertRound {
  at: string;
  sources: Record<string, { status: SourceStatus; open: number; error?: string }>;
  opened: Array<{ source: string; key: string }>;
  cleared: Array<{ source: string; key: string }>;
}

export interface AlertEngineOptions {
  sources: readonly AlertSource[];
  context: AlertContext;
  /** The state store holding the open incidents. */
  store: () => Promise<SqlRunner>;
  /** Absent (no Telegram, no allowed chats): sources still run for their metrics, nothing is sent or recorded. */
  notifier?: AlertNotifier;
  log: Logger;
  onGauges?: (source: AlertSource, samples: GaugeSample[]) => void;
  onAlert?: (source: string, event: 'opened' | 'cleared') => void;
}

/**
 * Checks every source and tells the chats about each incident once when it opens and once when it clears. Open
 * incidents live in the state store (`bot_incidents`), so a restarted bot neither repeats nor forgets them. An
 * incident is recorded only once it reached at least one chat, so a Telegram outage delays alerts instead of
 * losing them. A source that fails leaves its incidents as they are (a failed check is not a cleared one).
 */
export class AlertEngine {
  last: AlertRound | undefined;
  private running: Promise<AlertRound> | undefined;

  constructor(private readonly options: AlertEngineOptions) {}

  /** One round over every source; a round already running is joined, not doubled. */
  check(): Promise<AlertRound> {
    this.running ??= this.round().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Resolves when the round in progress (if any) is over. */
  async settle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private async round(): Promise<AlertRound> {
    const round: AlertRound = { at: new Date().toISOString(), sources: {}, opened: [], cleared: [] };
    for (const source of this.options.sources) {
      try {
        const result = await source.check(this.options.context);
        this.options.onGauges?.(source, result.gauges ?? []);
        const open = await this.reconcile(source.name, result.incidents, round);
        round.sources[source.name] = { status: 'ok', open };
      } catch (error) {
        round.sources[source.name] = { status: 'error', open: 0, error: errorMessage(error) };
        this.options.log.warn(`bot: alert source ${source.name} failed; its open alerts stay as they are`, {
          error: describeSourceError(error),
        });
      }
    }
    this.last = round;
    return round;
  }

  private async reconcile(source: string, incidents: Incident[], round: AlertRound): Promise<number> {
    const notifier = this.options.notifier;
    if (!notifier || notifier.chats.length === 0) return incidents.length;
    const store = await this.options.store();
    const open = await listOpenIncidents(store, source);
    const current = new Map(incidents.map((i) => [i.key, i]));
    for (const incident of current.values()) {
      if (open.some((o) => o.key === incident.key)) continue;
      const reached = await this.broadcast(lines(`🚨 ${bold(incident.title)}`, esc(incident.text)));
      if (reached.length === 0) continue; // try again next round
      await openIncident(store, {
        source,
        key: incident.key,
        text: `${incident.title}\n${incident.text}`,
        notifiedChats: reached,
      });
      round.opened.push({ source, key: incident.key });
      this.options.onAlert?.(source, 'opened');
      this.options.log.info('bot: alert sent', { source, key: incident.key, chats: reached.length });
    }
    for (const gone of open.filter((o) => !current.has(o.key))) {
      const [title, ...rest] = gone.text.split('\n');
      const reached = await this.broadcast(lines(`✅ ${bold(`Resolved: ${title}`)}`, esc(rest.join('\n'))));
      if (reached.length === 0) continue;
      await closeIncident(store, source, gone.key);
      round.cleared.push({ source, key: gone.key });
      this.options.onAlert?.(source, 'cleared');
      this.options.log.info('bot: alert cleared', { source, key: gone.key });
    }
    return current.size;
  }

  /** Sends to every chat; returns the chats it reached. */
  private async broadcast(html: string): Promise<number[]> {
    const notifier = this.options.notifier!;
    const reached: number[] = [];
    for (const chat of notifier.chats) {
      try {
        await notifier.send(chat, html);
        reached.push(chat);
      } catch (error) {
        this.options.log.warn('bot: could not send an alert', { chatId: chat, error: errorMessage(error) });
      }
    }
    return reached;
  }
}
