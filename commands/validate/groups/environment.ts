import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { ENV_BINDINGS } from '../../../src/config/env.js';
import { urlPassword } from '../../../src/log/redact.js';
import { fail, pass, warn, type CheckEnv, type CheckGroup, type CheckOutcome } from '../types.js';

const run = promisify(execFile);

/**
 * The production checklist, for the environment being validated: required variables, database password length, a
 * quiet log level, no .env in git. The deployed application's own rules (its secret's length, CORS not open to all,
 * DEBUG off) run only when `validate.application` names them: opsctl itself reads none of those variables. Values are
 * never echoed.
 */
export const environmentChecks: CheckGroup = {
  id: 'environment',
  title: 'Environment',
  async run(e) {
    const { emit } = e;
    emit(environmentMatches(e));
    emit(requiredVariables(e));
    for (const outcome of applicationChecks(e)) emit(outcome);
    for (const outcome of passwords(e)) emit(outcome);
    emit(logLevel(e));
    emit(await envFileNotTracked(e));
  },
};

const strictness = (e: CheckEnv) => (e.env === 'production' ? fail : warn);

function environmentMatches({ config, env }: CheckEnv): CheckOutcome {
  if (config.environment === env) return pass('ENVIRONMENT', `ENVIRONMENT is ${env}`);
  return (env === 'production' ? fail : warn)(
    'ENVIRONMENT',
    `validating for ${env} but ENVIRONMENT is ${config.environment}`,
    `Set ENVIRONMENT=${env} in the deployment's environment, or pass --env ${config.environment}.`,
  );
}

/** The variables the checklist names for this environment, plus the credentials the config itself needs. */
export function requiredVariableNames({ config, env }: Pick<CheckEnv, 'config' | 'env'>): Array<{
  name: string;
  satisfied?: (env: Record<string, string | undefined>) => boolean;
}> {
  const names: Array<{ name: string; satisfied?: (v: Record<string, string | undefined>) => boolean }> = [
    ...config.validate.requiredVariables[env],
    ...(config.validate.application?.requiredVariables[env] ?? []),
  ].map((name) => ({ name }));
  const fromConfig = (name: string, present: boolean) =>
    names.push({ name, satisfied: (v) => present || Boolean(v[name]) });
  const spotifyApi = Object.values(config.pipelines).some(
    (p) => p.kind === 'spotify' && p.enabled && p.source === 'api',
  );
  if (spotifyApi) {
    fromConfig('SPOTIFY_CLIENT_ID', Boolean(config.spotify.clientId));
    fromConfig('SPOTIFY_CLIENT_SECRET', Boolean(config.spotify.clientSecret));
    fromConfig('SPOTIFY_REFRESH_TOKEN', Boolean(config.spotify.refreshToken));
  }
  if (config.warehouse.kind === 'bigquery')
    fromConfig('BIGQUERY_PROJECT_ID', Boolean(config.warehouse.bigquery.projectId));
  // A bot with chats to answer needs its token.
  if (config.bot.allowedChats.length > 0) fromConfig('TELEGRAM_BOT_TOKEN', Boolean(config.bot.token));
  return names;
}

/** A variable opsctl itself binds (ENVIRONMENT, DATABASE_URL…) is also satisfied by its value in the config file. */
function isSet(e: CheckEnv, name: string): boolean {
  if (e.loaded.env[name]?.trim()) return true;
  const binding = ENV_BINDINGS.find((b) => b.name === name);
  const source = binding && binding.path.length ? e.loaded.sources[binding.path.join('.')] : undefined;
  return source !== undefined && source !== 'default';
}

function requiredVariables(e: CheckEnv): CheckOutcome {
  const missing = requiredVariableNames(e)
    .filter(({ name, satisfied }) => !(satisfied ? satisfied(e.loaded.env) : isSet(e, name)))
    .map((r) => r.name);
  if (missing.length === 0) return pass('required variables', `all variables required in ${e.env} are set`);
  return fail(
    'required variables',
    `not set: ${[...new Set(missing)].join(', ')}`,
    'Set them in the deployment environment or the --env-file; .env.example says what each one is.',
  );
}

type Application = NonNullable<CheckEnv['config']['validate']['application']>;

/** The application's secret, CORS and DEBUG rules; nothing without a `validate.application` block. */
function applicationChecks(e: CheckEnv): CheckOutcome[] {
  const app = e.config.validate.application;
  if (!app) return [];
  const out: CheckOutcome[] = [];
  if (app.minSecretLength > 0) out.push(secret(e, app));
  if (app.corsVariable) out.push(cors(e, app.corsVariable));
  if (app.debugVariable) out.push(debug(e, app.debugVariable));
  return out;
}

function secret(e: CheckEnv, app: Application): CheckOutcome {
  const min = app.minSecretLength;
  const name = app.secretVariable;
  const value = e.loaded.env[name];
  if (value === undefined || value === '') {
    return e.env === 'production'
      ? fail(name, `${name} is not set`, `Generate one: openssl rand -hex ${min}`)
      : pass(name, `not set (required in production only)`);
  }
  if (value.length < min) {
    return strictness(e)(
      name,
      `${name} has ${value.length} characters; at least ${min} are required`,
      `Generate a longer one: openssl rand -hex ${min} (or lower validate.application.minSecretLength).`,
    );
  }
  return pass(name, `${name} has at least ${min} characters`);
}

/** Every database password opsctl can see: DATABASE_URL, the state store, each target. */
function passwords(e: CheckEnv): CheckOutcome[] {
  const min = e.config.validate.minPasswordLength;
  const urls: Array<[string, string | undefined]> = [
    ['DATABASE_URL', e.loaded.env.DATABASE_URL],
    ['state store', e.config.state.url.startsWith('sqlite:') ? undefined : e.config.state.url],
    ...Object.entries(e.config.targets).map(([name, t]): [string, string | undefined] => [
      `target ${name}`,
      t.engine === 'pglite' ? undefined : t.url,
    ]),
  ];
  const short: string[] = [];
  const none: string[] = [];
  const seen = new Set<string>();
  for (const [label, url] of urls) {
    if (!url || seen.has(url)) continue;
    seen.add(url);
    const password = urlPassword(url);
    if (password === undefined) none.push(label);
    else if (password.length < min) short.push(label);
  }
  const out: CheckOutcome[] = [];
  if (short.length)
    out.push(
      strictness(e)(
        'database passwords',
        `shorter than ${min} characters: ${short.join(', ')}`,
        `Use passwords of at least ${min} characters (openssl rand -base64 24).`,
      ),
    );
  else
    out.push(
      pass(
        'database passwords',
        seen.size ? `every password has at least ${min} characters` : 'no password-protected database URLs configured',
      ),
    );
  if (none.length && e.env === 'production') {
    out.push(
      warn(
        'database authentication',
        `no password in the URL of ${none.join(', ')}`,
        'Fine for peer/trust or certificate auth on a private network; otherwise add a password.',
      ),
    );
  }
  return out;
}

function cors(e: CheckEnv, name: string): CheckOutcome {
  const value = e.loaded.env[name];
  if (value === undefined) return pass(name, 'not set');
  const origins = value.split(',').map((s) => s.trim());
  if (origins.includes('*')) {
    return strictness(e)(
      name,
      `${name} allows every origin (*)`,
      'List the allowed origins, comma-separated: https://app.example.org,https://admin.example.org',
    );
  }
  return pass(name, `${origins.length} origin${origins.length === 1 ? '' : 's'} allowed`);
}

/** A debug switch left on in production leaks stack traces and settings to callers. */
function debug(e: CheckEnv, name: string): CheckOutcome {
  const value = e.loaded.env[name]?.trim();
  if (!value) return pass(name, 'not set');
  if (!/^(1|true|yes|on)$/i.test(value)) return pass(name, `${name} is off`);
  if (e.env !== 'production') return pass(name, `${name} is on (${e.env})`);
  return fail(name, `${name} is on in production`, `Unset ${name} (or set it to 0) in the production environment.`);
}

function logLevel(e: CheckEnv): CheckOutcome {
  const level = e.config.logLevel;
  if (e.env !== 'production') return pass('LOG_LEVEL', `${level.toUpperCase()} (${e.env})`);
  const allowed = e.config.validate.productionLogLevels;
  if (allowed.includes(level as (typeof allowed)[number]))
    return pass('LOG_LEVEL', `${level.toUpperCase()} in production`);
  return fail(
    'LOG_LEVEL',
    `LOG_LEVEL is ${level.toUpperCase()} in production`,
    `Use ${allowed.map((l) => (l === 'warn' ? 'WARNING' : l.toUpperCase())).join(' or ')} in production.`,
  );
}

/** A tracked .env puts secrets in git history: look in the repository of the working directory and of the config. */
async function envFileNotTracked(e: CheckEnv): Promise<CheckOutcome> {
  const dirs = [...new Set([process.cwd(), ...(e.loaded.configFile ? [dirname(e.loaded.configFile)] : [])])];
  const tracked: string[] = [];
  let inRepo = false;
  for (const dir of dirs) {
    try {
      const { stdout: top } = await run('git', ['-C', dir, 'rev-parse', '--show-toplevel'], { timeout: 5_000 });
      inRepo = true;
      const { stdout } = await run('git', ['-C', top.trim(), 'ls-files', '--', '.env', '*/.env', '.env.*'], {
        timeout: 5_000,
      });
      for (const file of stdout.split('\n').filter(Boolean)) {
        if (!/\.env\.(example|sample|template|dist)$/.test(file)) tracked.push(file);
      }
    } catch {
      /* not a git checkout, or git is absent */
    }
  }
  const files = [...new Set(tracked)];
  if (files.length)
    return fail(
      '.env not in git',
      `tracked by git: ${files.join(', ')}`,
      'git rm --cached the file, add it to .gitignore, and rotate every secret it held.',
    );
  return pass('.env not in git', inRepo ? 'no .env file is tracked by git' : 'not inside a git checkout');
}
