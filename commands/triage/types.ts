/** How bad: critical makes `opsctl status` exit 1 and pages; warning is worth a look. */
export type TriageSeverity = 'critical' | 'warning';

export type TriageKind =
  | 'component'
  | 'threshold'
  | 'bot'
  | 'run-failed'
  | 'run-orphaned'
  | 'watermark-lag'
  | 'quarantine'
  | 'cost'
  | 'backup'
  | 'migration'
  | 'loadtest'
  | 'source';

/** The console pane an item belongs to (its home board jumps there with `subject` selected). */
export type TriagePane = 'overview' | 'runs' | 'watermarks' | 'costs' | 'backups' | 'migrations' | 'loadtests';

/** One thing that needs attention: what, since when, and the command that fixes or explains it. */
export interface TriageItem {
  /** Stable across checks (`run-failed:spotify`, `backup-age:app`): the bot's alert key, the console's dismissal key. */
  id: string;
  severity: TriageSeverity;
  kind: TriageKind;
  pane: TriagePane;
  /** The row to select in that pane: a run id, `pipeline/table`, a target, a backup id, a component id. */
  subject: string;
  title: string;
  detail: string;
  /** When it started being wrong, when known (ISO-8601). */
  since: string | null;
  command: string;
  /** How many (failures since the last success, records, pending migrations), when it is a count. */
  count?: number;
}
