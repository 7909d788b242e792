import type { StateMigration } from './types.js';

/**
 * The on-call bot's state. `bot_incidents` holds the alerts that are open (sent, not yet cleared), so a restarted bot
 * neither repeats an alert nor forgets to say that it cleared. `bot_instances` records each running bot and where its
 * health endpoint answers, so `opsctl status` and the console can find it.
 */
export const botMigrations: StateMigration[] = [
  {
    id: 'bot/001_incidents_and_instances',
    up: (d) => `
      CREATE TABLE bot_incidents (
        source TEXT NOT NULL,
        incident_key TEXT NOT NULL,
        text TEXT NOT NULL,
        opened_at ${d.timestamp} NOT NULL,
        notified_chats ${d.json},
        PRIMARY KEY (source, incident_key)
      );
      CREATE TABLE bot_instances (
        id TEXT PRIMARY KEY,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        process_start TEXT,
        health_url TEXT NOT NULL,
        telegram TEXT NOT NULL,
        opsctl_version TEXT NOT NULL,
        started_at ${d.timestamp} NOT NULL,
        heartbeat_at ${d.timestamp} NOT NULL
      );
    `,
  },
];
