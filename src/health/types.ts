import type { Config } from '../config/load.js';
import type { StateStore } from '../state/store.js';

/** The live state of one component, as every face shows it (status, the Overview, /health, validate). */
export type HealthStatus = 'up' | 'down' | 'busy' | 'absent' | 'unchecked';

/** Which part of the platform a component belongs to; faces group and order by it. */
export type HealthGroup = 'core' | 'target' | 'bot' | 'service';

export interface ComponentHealth {
  /** Unique across the registry: `state`, `warehouse`, `target:reco`, `bot`. */
  id: string;
  /** The component's own name (`state`, `warehouse`, `reco`, `bot`). */
  name: string;
  /** How faces name it in a list: `state store`, `warehouse`, `target reco`, `bot`. */
  label: string;
  group: HealthGroup;
  /** Engine or flavour: sqlite, postgres, duckdb, bigquery, pglite, mysql, telegram… */
  kind: string;
  /** Where it is, fit for printing (credentials redacted). */
  location: string;
  status: HealthStatus;
  version?: string;
  latencyMs?: number;
  error?: string;
  hint?: string;
  /** Component-specific facts a face may show (the bot's Telegram status and pid…). */
  details?: Record<string, unknown>;
  /** When the probe behind this answer ran (ISO): a cached answer (`checkHealth`'s `maxAgeMs`) keeps its own time. */
  checkedAt?: string;
}

/** What a probe may use: the config and the invocation's state store (an OperationContext satisfies it). */
export interface HealthEnv {
  config: Config;
  state(): Promise<StateStore>;
}

/** What a probe found when it did not throw. A probe that throws makes its component `down` (or `busy`). */
export interface ProbeFinding {
  /** Default `up`. */
  status?: HealthStatus;
  version?: string;
  /** Overrides the check's location once the probe knows it better (the state store's redacted URL). */
  location?: string;
  /** Overrides the check's kind (a bot that runs without Telegram). */
  kind?: string;
  error?: string;
  hint?: string;
  details?: Record<string, unknown>;
  /** Default: the time the probe took. */
  latencyMs?: number;
}

export interface ProbeOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * Open what is normally checked from outside: an embedded PGlite target is booted (PostgreSQL in WASM) instead of
   * checked from its files. Off by default; `opsctl status --deep` sets it.
   */
  deep?: boolean;
}

/**
 * One component of the registry. `probe` connects, asks, and either returns what it found or throws; the registry
 * times it, bounds it by `timeoutMs`, and turns a throw into `down` (or `busy` for a BusyError) with the error's hint.
 */
export interface HealthCheck {
  id: string;
  name: string;
  label: string;
  group: HealthGroup;
  kind: string;
  location: string;
  /** Answered without probing, when the component plainly does not exist yet (a PGlite directory never created). */
  absent?: () => { hint: string } | undefined;
  probe(env: HealthEnv, options: ProbeOptions): Promise<ProbeFinding>;
  /** Said when the probe fails and its error carries no hint. */
  hint?: string;
}

/** One kind of component: the checks it contributes for a config (none, one, or one per configured item). */
export type HealthProvider = (config: Config) => HealthCheck[];
