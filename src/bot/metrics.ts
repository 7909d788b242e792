import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { num } from '../state/json.js';
import { latestExecutions, latestFinishedRuns, runCountsByStatus } from '../state/run-stats.js';
import { listOpenRuns } from '../state/runs.js';
import type { SqlRunner } from '../state/store.js';
import { withTimeout } from '../util/timeout.js';

/** Gauges set by the alert sources from other capabilities' operations; unset while their source is absent. */
export const OBSERVED_METRICS = {
  opsctl_watermark_lag_seconds: {
    help: 'How far each sync watermark lags behind now (from watermarks.list)',
    labels: ['pipeline', 'table'],
  },
  opsctl_cost_usd: {
    help: 'BigQuery cost in USD: period="month_to_date" so far, "projected_month" at the end of the month (from costs.check)',
    labels: ['period'],
  },
  opsctl_backup_newest_age_seconds: {
    help: 'Age of the newest backup of each target (from backup.freshness)',
    labels: ['target'],
  },
  opsctl_service_up: {
    help: 'Whether each configured service answers healthy: 1 up, 0 down (from health)',
    labels: ['service'],
  },
  opsctl_target_up: {
    help: 'Whether each database target answers: 1 up, 0 down; no sample while it is busy (held by another process) or absent (from health)',
    labels: ['target'],
  },
  opsctl_target_connections: {
    help: 'Connections in use on each database target, server-wide (from health)',
    labels: ['target'],
  },
} as const;
export type ObservedMetric = keyof typeof OBSERVED_METRICS;

export interface BotMetricsOptions {
  /** The state store; the run metrics are read from it at each scrape. */
  state: () => Promise<SqlRunner>;
  version: string;
  /** 1 connected, 0 not; absent when Telegram is disabled (the metric is then not exported). */
  telegramUp?: () => number;
  inFlight: () => number;
  stateTimeoutMs?: number;
}

interface LastRunRow {
  operation: string;
  pipeline: string | null;
  status: string;
  duration_ms: number | null;
  finished_at: string | null;
}

/**
 * The bot's /metrics, in a registry of its own. Run metrics come from the state store at each scrape (so runs made by
 * cron or the console count too; while the store is down they keep their last values, marked by
 * opsctl_state_store_up 0 and opsctl_runs_stale_seconds); costs, backup age and watermark lag come from the alert sources' last check, so a
 * scrape never queries BigQuery.
 */
export class BotMetrics {
  readonly registry = new Registry();
  readonly messages: Counter<'command' | 'outcome'>;
  readonly alerts: Counter<'source' | 'event'>;
  private readonly observed = new Map<ObservedMetric, Gauge<string>>();
  private readonly runs: Gauge<'operation' | 'status'>;
  private readonly lastDuration: Gauge<'operation' | 'pipeline'>;
  private readonly lastSuccess: Gauge<'operation' | 'pipeline'>;
  private readonly lastFinished: Gauge<'operation' | 'pipeline'>;
  private readonly rowsLoaded: Gauge<'pipeline' | 'table'>;
  private readonly stateUp: Gauge;
  /** When the run metrics were last read from the state store (ms); the bot's start until the first read. */
  private runsReadAt = Date.now();

  constructor(private readonly options: BotMetricsOptions) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.messages = new Counter({
      name: 'opsctl_bot_messages_total',
      help: 'Telegram messages and button presses the bot handled, by command and outcome',
      labelNames: ['command', 'outcome'],
      registers,
    });
    this.alerts = new Counter({
      name: 'opsctl_bot_alerts_total',
      help: 'Alerts sent, by source and event (opened or cleared)',
      labelNames: ['source', 'event'],
      registers,
    });
    this.runs = new Gauge({
      name: 'opsctl_runs',
      help: 'Runs recorded in the state store, by operation and status (orphaned: marked running, process provably gone)',
      labelNames: ['operation', 'status'],
      registers,
    });
    this.lastDuration = new Gauge({
      name: 'opsctl_last_run_duration_seconds',
      help: 'Duration of the newest finished run of each operation and pipeline',
      labelNames: ['operation', 'pipeline'],
      registers,
    });
    this.lastSuccess = new Gauge({
      name: 'opsctl_last_run_success',
      help: '1 when the newest finished run succeeded, 0 when it failed',
      labelNames: ['operation', 'pipeline'],
      registers,
    });
    this.lastFinished = new Gauge({
      name: 'opsctl_last_run_finished_timestamp_seconds',
      help: 'When the newest finished run ended (Unix time)',
      labelNames: ['operation', 'pipeline'],
      registers,
    });
    this.rowsLoaded = new Gauge({
      name: 'opsctl_last_run_rows_loaded',
      help: 'Rows loaded into each table by its newest execution',
      labelNames: ['pipeline', 'table'],
      registers,
    });
    this.stateUp = new Gauge({
      name: 'opsctl_state_store_up',
      help: '1 when the state store answered this scrape',
      registers,
    });
    runsStalenessGauge(registers, () => this.runsReadAt);
    for (const [name, def] of Object.entries(OBSERVED_METRICS) as Array<
      [ObservedMetric, (typeof OBSERVED_METRICS)[ObservedMetric]]
    >) {
      this.observed.set(name, new Gauge({ name, help: def.help, labelNames: [...def.labels], registers }));
    }
    const telegramUp = options.telegramUp;
    if (telegramUp) {
      new Gauge({
        name: 'opsctl_telegram_up',
        help: '1 when the last call to the Telegram Bot API succeeded',
        registers,
        collect: function (this: Gauge) {
          this.set(telegramUp());
        },
      });
    }
    new Gauge({
      name: 'opsctl_bot_commands_in_flight',
      help: 'Telegram commands being handled now',
      registers,
      collect: function (this: Gauge) {
        this.set(options.inFlight());
      },
    });
    new Gauge({ name: 'opsctl_build_info', help: 'opsctl version of the bot', labelNames: ['version'], registers }).set(
      { version: options.version },
      1,
    );
  }

  /** Replaces every series of a source's metrics with its latest samples. */
  observe(
    metrics: readonly ObservedMetric[],
    samples: ReadonlyArray<{ metric: ObservedMetric; labels?: Record<string, string>; value: number }>,
  ): void {
    for (const name of metrics) this.observed.get(name)?.reset();
    for (const s of samples) this.observed.get(s.metric)?.set(s.labels ?? {}, s.value);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text; reads the run metrics from the state store first. */
  async render(): Promise<string> {
    await this.refreshRuns();
    return this.registry.metrics();
  }

  private async refreshRuns(): Promise<void> {
    try {
      const snapshot = await withTimeout(this.options.stateTimeoutMs ?? 2_000, 'state store', async () => {
        const db = await this.options.state();
        const counts = await runCountsByStatus(db);
        const open = await listOpenRuns(db);
        const last = await latestFinishedRuns<LastRunRow>(
          db,
          'r.operation, r.pipeline, r.status, r.duration_ms, r.finished_at',
        );
        const rows = await latestExecutions<{ pipeline: string; table_name: string; rows_loaded: number }>(
          db,
          'e.pipeline, e.table_name, e.rows_loaded',
        );
        return { counts: withOrphaned(counts, open), last, rows };
      });
      // Reset and set without an await in between, so a concurrent scrape never sees half a refresh.
      for (const g of [this.runs, this.lastDuration, this.lastSuccess, this.lastFinished, this.rowsLoaded]) g.reset();
      for (const c of snapshot.counts) this.runs.set({ operation: c.operation, status: c.status }, num(c.n));
      for (const r of snapshot.last) {
        const labels = { operation: r.operation, pipeline: r.pipeline ?? '' };
        if (r.duration_ms !== null) this.lastDuration.set(labels, num(r.duration_ms) / 1000);
        this.lastSuccess.set(labels, r.status === 'succeeded' ? 1 : 0);
        if (r.finished_at) this.lastFinished.set(labels, Math.round(Date.parse(r.finished_at) / 1000));
      }
      for (const r of snapshot.rows)
        this.rowsLoaded.set({ pipeline: r.pipeline, table: r.table_name }, num(r.rows_loaded));
      this.stateUp.set(1);
      this.runsReadAt = Date.now();
    } catch {
      // The store is down: the run series keep their last known values (a dashboard keeps its lines, an alert on
      // opsctl_runs does not fire on a vanished series) and opsctl_runs_stale_seconds says how old they are.
      this.stateUp.set(0);
    }
  }
}

/**
 * opsctl_runs_stale_seconds: how old the run series are. 0 right after a scrape that read the store; while the store
 * is down it grows from the last good read (from the bot's start when there was none, and the series are then empty).
 */
function runsStalenessGauge(registers: Registry[], readAt: () => number): Gauge {
  return new Gauge({
    name: 'opsctl_runs_stale_seconds',
    help: 'Seconds since opsctl_runs and opsctl_last_run_* were read from the state store (they keep their last known values while it is down)',
    registers,
    collect: function (this: Gauge) {
      this.set(Math.max(0, Math.round((Date.now() - readAt()) / 1000)));
    },
  });
}

/** The stored counts with each orphaned run moved from `running` to `orphaned` (the state store's read model says which). */
function withOrphaned(
  counts: Array<{ operation: string; status: string; n: number }>,
  open: Awaited<ReturnType<typeof listOpenRuns>>,
): Array<{ operation: string; status: string; n: number }> {
  const out = new Map(counts.map((c) => [`${c.operation}\0${c.status}`, { ...c, n: num(c.n) }]));
  for (const run of open) {
    if (run.status !== 'orphaned') continue;
    const running = out.get(`${run.operation}\0running`);
    if (running && running.n > 0) running.n -= 1;
    const key = `${run.operation}\0orphaned`;
    const orphaned = out.get(key) ?? { operation: run.operation, status: 'orphaned', n: 0 };
    orphaned.n += 1;
    out.set(key, orphaned);
  }
  return [...out.values()];
}
