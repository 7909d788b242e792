import { currentProcess, isProcessAlive } from '../util/process.js';
import { num, parseJson, redactText, toJson } from './json.js';
import type { SqlRunner } from './store.js';

/** An alert that was sent and has not cleared yet. */
export interface OpenIncident {
  source: string;
  key: string;
  text: string;
  openedAt: string;
  /** The chats the alert reached. */
  notifiedChats: number[];
}

interface IncidentRow {
  source: string;
  incident_key: string;
  text: string;
  opened_at: string;
  notified_chats: unknown;
}

const toIncident = (r: IncidentRow): OpenIncident => ({
  source: r.source,
  key: r.incident_key,
  text: r.text,
  openedAt: r.opened_at,
  notifiedChats: (parseJson<number[]>(r.notified_chats) ?? []).map(Number),
});

export async function listOpenIncidents(db: SqlRunner, source?: string): Promise<OpenIncident[]> {
  const rows = source
    ? await db.query<IncidentRow>('SELECT * FROM bot_incidents WHERE source = ? ORDER BY opened_at, incident_key', [
        source,
      ])
    : await db.query<IncidentRow>('SELECT * FROM bot_incidents ORDER BY opened_at, incident_key');
  return rows.map(toIncident);
}

/** Records an incident as open (sent). Opening one that is already open keeps its first opening time. */
export async function openIncident(
  db: SqlRunner,
  incident: { source: string; key: string; text: string; notifiedChats: number[] },
): Promise<void> {
  await db.run(
    `INSERT INTO bot_incidents (source, incident_key, text, opened_at, notified_chats) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (source, incident_key) DO UPDATE SET text = excluded.text, notified_chats = excluded.notified_chats`,
    [
      incident.source,
      incident.key,
      redactText(incident.text),
      new Date().toISOString(),
      toJson(incident.notifiedChats),
    ],
  );
}

export async function closeIncident(db: SqlRunner, source: string, key: string): Promise<boolean> {
  return (await db.run('DELETE FROM bot_incidents WHERE source = ? AND incident_key = ?', [source, key])) > 0;
}

/** A bot process that said it is running, and where its health endpoint answers. */
export interface BotInstance {
  id: string;
  host: string;
  pid: number;
  healthUrl: string;
  /** `polling`, `webhook` or `disabled` (health and metrics only). */
  telegram: string;
  opsctlVersion: string;
  startedAt: string;
  heartbeatAt: string;
  /** false: provably gone (same host, pid dead); undefined: another host, judge by the heartbeat. */
  alive: boolean | undefined;
}

interface InstanceRow {
  id: string;
  host: string;
  pid: number;
  process_start: string | null;
  health_url: string;
  telegram: string;
  opsctl_version: string;
  started_at: string;
  heartbeat_at: string;
}

export async function registerBotInstance(
  db: SqlRunner,
  input: { healthUrl: string; telegram: string; opsctlVersion: string },
): Promise<string> {
  const me = currentProcess();
  const id = `${me.host}:${me.pid}`;
  const now = new Date().toISOString();
  await db.run(
    `INSERT INTO bot_instances (id, host, pid, process_start, health_url, telegram, opsctl_version, started_at, heartbeat_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET process_start = excluded.process_start, health_url = excluded.health_url,
       telegram = excluded.telegram, opsctl_version = excluded.opsctl_version, started_at = excluded.started_at,
       heartbeat_at = excluded.heartbeat_at`,
    [id, me.host, me.pid, me.start, input.healthUrl, input.telegram, input.opsctlVersion, now, now],
  );
  return id;
}

/** Returns false when the row is gone (someone cleaned it up): the caller registers again. */
export async function heartbeatBotInstance(db: SqlRunner, id: string): Promise<boolean> {
  return (await db.run('UPDATE bot_instances SET heartbeat_at = ? WHERE id = ?', [new Date().toISOString(), id])) > 0;
}

export async function unregisterBotInstance(db: SqlRunner, id: string): Promise<void> {
  await db.run('DELETE FROM bot_instances WHERE id = ?', [id]);
}

/** Registered bots, most recent heartbeat first, each with whether its process still runs (when that can be told). */
export async function listBotInstances(db: SqlRunner): Promise<BotInstance[]> {
  const rows = await db.query<InstanceRow>('SELECT * FROM bot_instances ORDER BY heartbeat_at DESC, id');
  return rows.map((r) => ({
    id: r.id,
    host: r.host,
    pid: num(r.pid),
    healthUrl: r.health_url,
    telegram: r.telegram,
    opsctlVersion: r.opsctl_version,
    startedAt: r.started_at,
    heartbeatAt: r.heartbeat_at,
    alive: isProcessAlive({ host: r.host, pid: num(r.pid), start: r.process_start }),
  }));
}

/** Removes the records of bots on this host whose process is provably gone (killed without unregistering). */
export async function pruneDeadBotInstances(db: SqlRunner): Promise<number> {
  let pruned = 0;
  for (const instance of await listBotInstances(db)) {
    if (instance.alive === false) pruned += await db.run('DELETE FROM bot_instances WHERE id = ?', [instance.id]);
  }
  return pruned;
}
