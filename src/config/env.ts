import { engineOfUrl } from './sections/targets.js';

/**
 * Environment variables opsctl reads, with the config path each one sets. The seeds' names are kept where they exist.
 * This table is the single source for loading, `config show` provenance and `.env.example` (a test keeps them equal).
 */
export interface EnvBinding {
  name: string;
  path: string[];
  doc: string;
  secret?: boolean;
  example?: string;
  /** Turns the raw string into the config value; throws a message on bad input. */
  parse?: (raw: string) => unknown;
  /** Extra config values implied by this variable (e.g. DATABASE_URL implies the target's engine). */
  implies?: (raw: string) => Array<{ path: string[]; value: unknown }>;
}

const csv = (raw: string) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const int = (raw: string) => {
  if (!/^\d+$/.test(raw.trim())) throw new Error('must be a whole number');
  return Number(raw.trim());
};

export const ENV_BINDINGS: EnvBinding[] = [
  {
    name: 'OPSCTL_CONFIG',
    path: [],
    doc: 'Path of opsctl.config.json (default: ./opsctl.config.json, then $OPSCTL_HOME/opsctl.config.json).',
    example: './opsctl.config.json',
  },
  {
    name: 'OPSCTL_HOME',
    path: ['home'],
    doc: 'Folder for embedded state (SQLite), warehouse (DuckDB), PGlite data and backups.',
    example: './.opsctl',
  },
  {
    name: 'OPSCTL_STATE_URL',
    path: ['state', 'url'],
    doc: 'State store: sqlite:<file> (default: $OPSCTL_HOME/state.db) or postgres://user:pass@host:5432/db.',
    example: 'postgres://opsctl:change-me@127.0.0.1:5432/opsctl',
  },
  {
    name: 'ENVIRONMENT',
    path: ['environment'],
    doc: 'development, staging or production (production targets ask for typed confirmation).',
    example: 'development',
  },
  {
    name: 'LOG_LEVEL',
    path: ['logLevel'],
    doc: 'DEBUG, INFO, WARNING or ERROR. Logs go to stderr (JSON lines when stderr is not a terminal).',
    example: 'INFO',
  },
  {
    name: 'OPSCTL_WAREHOUSE',
    path: ['warehouse', 'kind'],
    doc: 'duckdb (embedded default) or bigquery.',
    example: 'duckdb',
  },
  {
    name: 'BIGQUERY_PROJECT_ID',
    path: ['warehouse', 'bigquery', 'projectId'],
    doc: 'Google Cloud project that holds the BigQuery dataset.',
    example: 'my-gcp-project',
  },
  {
    name: 'BIGQUERY_DATASET',
    path: ['warehouse', 'bigquery', 'dataset'],
    doc: 'BigQuery dataset for the Spotify tables.',
    example: 'spotify_data',
  },
  {
    name: 'BIGQUERY_LOCATION',
    path: ['warehouse', 'bigquery', 'location'],
    doc: 'BigQuery location (region) of the dataset and jobs.',
    example: 'US',
  },
  {
    name: 'BIGQUERY_MAXIMUM_BYTES_BILLED',
    path: ['warehouse', 'bigquery', 'maximumBytesBilled'],
    doc: 'Cap on the bytes billed by each BigQuery job opsctl sends (default 1000000000); BigQuery refuses a query over it without charge.',
    example: '1000000000',
  },
  {
    name: 'GOOGLE_APPLICATION_CREDENTIALS',
    path: ['warehouse', 'bigquery', 'keyFilename'],
    doc: 'Service-account key file for BigQuery (unset: application default credentials).',
    example: '/etc/opsctl/gcp-key.json',
  },
  {
    name: 'BIGQUERY_ACCESS_TOKEN',
    path: ['warehouse', 'bigquery', 'accessToken'],
    secret: true,
    doc: 'A ready OAuth access token for BigQuery (e.g. `gcloud auth print-access-token`); wins over the key file. Expires after about an hour.',
    example: '',
  },
  {
    name: 'SPOTIFY_CLIENT_ID',
    path: ['spotify', 'clientId'],
    doc: 'Spotify app client id (developer.spotify.com).',
    example: 'your-client-id',
  },
  {
    name: 'SPOTIFY_CLIENT_SECRET',
    path: ['spotify', 'clientSecret'],
    doc: 'Spotify app client secret.',
    secret: true,
    example: 'your-client-secret',
  },
  {
    name: 'SPOTIFY_REFRESH_TOKEN',
    path: ['spotify', 'refreshToken'],
    doc: 'Refresh token from `opsctl spotify login` (or stored in $OPSCTL_HOME).',
    secret: true,
    example: 'your-refresh-token',
  },
  {
    name: 'SPOTIFY_API_BASE_URL',
    path: ['spotify', 'apiBaseUrl'],
    doc: 'Spotify Web API base URL (default https://api.spotify.com; a proxy or a local fake).',
    example: 'https://api.spotify.com',
  },
  {
    name: 'SPOTIFY_ACCOUNTS_BASE_URL',
    path: ['spotify', 'accountsBaseUrl'],
    doc: 'Spotify accounts service base URL for tokens and login (default https://accounts.spotify.com).',
    example: 'https://accounts.spotify.com',
  },
  {
    name: 'DATABASE_URL',
    path: ['targets', 'app', 'url'],
    doc: 'Application database, added as target "app" (postgres://… or mysql://…).',
    example: 'postgres://app:change-me@127.0.0.1:5432/app',
    implies: (raw) => {
      const engine = engineOfUrl(raw);
      return engine ? [{ path: ['targets', 'app', 'engine'], value: engine }] : [];
    },
  },
  {
    name: 'TELEGRAM_BOT_TOKEN',
    path: ['bot', 'token'],
    doc: 'Telegram bot token from @BotFather.',
    secret: true,
    example: '123456:ABC-your-token',
  },
  {
    name: 'OPSCTL_BOT_ALLOWED_CHATS',
    path: ['bot', 'allowedChats'],
    doc: 'Comma-separated Telegram chat ids the bot answers.',
    parse: csv,
    example: '123456789,-1001234567890',
  },
  {
    name: 'OPSCTL_BOT_USERS',
    path: ['bot', 'users'],
    doc: 'Telegram user ids and their roles (read, run, admin), comma-separated id:role pairs; unset: members of the allowed chats may only read.',
    parse: (raw) =>
      Object.fromEntries(
        csv(raw).map((pair) => {
          const m = /^(\S+?)\s*:\s*(\S+)$/.exec(pair);
          if (!m) throw new Error(`"${pair}" is not id:role (e.g. 123456789:run)`);
          return [m[1]!, m[2]!];
        }),
      ),
    example: '123456789:admin,987654321:run',
  },
  {
    name: 'OPSCTL_BOT_HEALTH_TOKEN',
    path: ['bot', 'health', 'token'],
    doc: "Bearer token (16+ characters) that unlocks the details of the bot's /health; without it strangers get statuses only.",
    secret: true,
    example: 'change-me-to-a-long-random-token',
  },
  {
    name: 'OPSCTL_BOT_PORT',
    path: ['bot', 'port'],
    doc: "Port of the bot's /health and /metrics server (default 8000).",
    parse: int,
    example: '8000',
  },
];

/** Variables that are not opsctl config but whose values must never be printed (read by `opsctl validate`). */
export const SECRET_ENV_PATTERN = /(SECRET|TOKEN|PASSWORD|PASSWD|API_KEY|PRIVATE_KEY|CREDENTIALS_JSON)/i;
