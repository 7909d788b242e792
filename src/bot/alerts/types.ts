import type { InputFor, OperationName, ResultFor } from '../../../commands/catalog.js';
import type { OperationContext } from '../../../commands/operation.js';
import type { ObservedMetric } from '../metrics.js';

/** Something wrong that the on-call people should hear about once, and once more when it clears. */
export interface Incident {
  /** Stable within its source: the same problem keeps the same key from one check to the next. */
  key: string;
  /** One short line: "Run failed: etl.run spotify". */
  title: string;
  /** Details, plain text. */
  text: string;
}

/** A value a source measured, exported on /metrics (e.g. a watermark's lag). */
export interface GaugeSample {
  metric: ObservedMetric;
  labels?: Record<string, string>;
  value: number;
}

export interface SourceCheck {
  /** Every incident open right now; an open incident missing from the list has cleared. */
  incidents: Incident[];
  gauges?: GaugeSample[];
}

export interface AlertContext {
  runtime: OperationContext;
  /** Runs an operation of the catalog (trigger `bot`, cancelled when the bot stops). */
  invoke<N extends OperationName>(operation: N, input: InputFor<N>): Promise<ResultFor<N>>;
}

/** One kind of alert. */
export interface AlertSource {
  name: string;
  /** The metrics this source sets; they are cleared before each check's samples are applied. */
  metrics?: readonly ObservedMetric[];
  check(ctx: AlertContext): Promise<SourceCheck>;
}
