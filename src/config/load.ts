import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { redactor as globalRedactor, type Redactor } from '../log/redact.js';
import { ENV_BINDINGS } from './env.js';
import { locateJsonError } from './json-error.js';
import { dotted, getAt, isPlainObject, leaves, setAt, type Path } from './paths.js';
import { configSchema, type ParsedConfig } from './schema.js';
import { isSecretKey, registerSecrets } from './secrets.js';
import { applyStoredBindings } from './stored.js';
import { withOsErrorsSync } from '../util/os-errors.js';

/** The config with every path made absolute and every embedded default filled in. */
export type Config = ParsedConfig & {
  home: string;
  state: { url: string };
  warehouse: ParsedConfig['warehouse'] & { duckdb: { path: string } };
  backups: ParsedConfig['backups'] & { dir: string };
  /** Folder of the config file (or the working directory when there is none). */
  baseDir: string;
};

export interface LoadedConfig {
  config: Config;
  /** Dotted path → where the value came from: `default`, `file`, `env:NAME`, `.env:NAME`, `flag:--x`. */
  sources: Record<string, string>;
  configFile: string | undefined;
  /** How the config file was found: `--config`, `OPSCTL_CONFIG`, `./opsctl.config.json`, `$OPSCTL_HOME`, XDG or /etc. */
  configFoundBy: string | undefined;
  /** Where discovery looked, in order (for the message when nothing is found). */
  configSearched: string[];
  envFile: string | undefined;
  /** Every env file read: the working directory's (or --env-file) and the one beside the config file. */
  envFiles: string[];
  /** process.env merged with the .env file (the process wins), for checks that read the app's own variables. */
  env: Record<string, string | undefined>;
}

export interface ConfigOverride {
  path: string[];
  value: unknown;
  source: string;
}

export interface LoadConfigOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** `--config`; when unset, OPSCTL_CONFIG, ./opsctl.config.json, then $OPSCTL_HOME/opsctl.config.json. */
  configPath?: string;
  /** `--env-file`; when unset, ./.env if it exists. */
  envFile?: string;
  overrides?: ConfigOverride[];
  /** Use this object as the config file instead of reading one (the demo workspace, tests). */
  fileConfig?: Record<string, unknown>;
  /** Ignore config files and opsctl's environment variables (except OPSCTL_HOME): the demo must touch nothing else. */
  isolated?: boolean;
  redactor?: Redactor;
}

export const CONFIG_FILE_NAME = 'opsctl.config.json';

export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const processEnv = options.env ?? process.env;
  const first = mergeEnvFile(processEnv, options.envFile, cwd);
  let { env } = first;
  const { envFile, envFileKeys } = first;

  const found =
    options.fileConfig || options.isolated
      ? { path: undefined, foundBy: undefined, searched: [] }
      : findConfigFile(options.configPath, env, cwd);
  const configFile = found.path;
  // The .env beside the config file too, so a cron job in another directory finds the variables the config refers
  // to. The process environment and the working directory's .env (or --env-file) win over it.
  const envFiles = envFile ? [envFile] : [];
  if (configFile && !options.isolated) {
    const beside = join(dirname(configFile), '.env');
    if (beside !== envFile && existsSync(beside)) {
      const parsed = readEnvFile(beside);
      env = { ...parsed, ...env };
      for (const key of Object.keys(parsed)) envFileKeys.add(key);
      envFiles.push(beside);
    }
  }
  const raw: Record<string, unknown> = options.fileConfig
    ? structuredClone(options.fileConfig)
    : configFile
      ? readConfigFile(configFile)
      : {};
  const baseDir = configFile ? dirname(configFile) : cwd;

  const sources: Record<string, string> = {};
  const fileLabel = configFile ? 'file' : options.fileConfig ? 'workspace' : 'file';
  const problems: Problem[] = [];
  for (const leaf of leaves(raw)) if (leaf.path.length) sources[dotted(leaf.path)] = fileLabel;
  interpolateEnv(raw, env, sources, problems);

  for (const binding of ENV_BINDINGS) {
    if (binding.path.length === 0) continue;
    if (options.isolated && binding.name !== 'OPSCTL_HOME') continue;
    const value = env[binding.name];
    if (value === undefined || value.trim() === '') continue;
    const source = `${envFileKeys.has(binding.name) && processEnv[binding.name] === undefined ? '.env' : 'env'}:${binding.name}`;
    let parsed: unknown = value;
    try {
      parsed = binding.parse ? binding.parse(value) : value;
    } catch (error) {
      problems.push({
        path: binding.path,
        source,
        message: (error as Error).message,
        received: value,
        secret: binding.secret,
      });
      continue;
    }
    setAt(raw, binding.path, parsed);
    sources[dotted(binding.path)] = source;
    for (const implied of binding.implies?.(value) ?? []) {
      if (getAt(raw, implied.path) === undefined) {
        setAt(raw, implied.path, implied.value);
        sources[dotted(implied.path)] = source;
      }
    }
  }

  for (const override of options.overrides ?? []) {
    setAt(raw, override.path, override.value);
    sources[dotted(override.path)] = override.source;
  }

  const result = configSchema.safeParse(raw);
  if (!result.success) problems.push(...result.error.issues.map((issue) => problemFromIssue(issue, raw, sources)));
  if (problems.length > 0 || !result.success) throw configErrorFrom(problems, configFile);

  const home = defaultHome({
    env,
    cwd,
    configFile,
    foundBy: found.foundBy,
    embedded: Boolean(options.fileConfig || options.isolated),
  });
  const config = resolveConfig(result.data, { cwd, baseDir, sources, defaultHome: home });
  // What a login stored in $OPSCTL_HOME (the Spotify refresh token); the environment and the config file win over it.
  if (!options.isolated) applyStoredBindings(config, config.home, sources);
  for (const leaf of leaves(config)) {
    const key = dotted(leaf.path);
    if (leaf.path.length && key !== 'baseDir' && !(key in sources) && !hasSourcedAncestor(key, sources))
      sources[key] = 'default';
  }
  registerSecrets(options.redactor ?? globalRedactor, config, env);
  return {
    config,
    sources,
    configFile,
    configFoundBy: found.foundBy,
    configSearched: found.searched,
    envFile: envFile ?? envFiles[0],
    envFiles,
    env,
  };
}

function hasSourcedAncestor(key: string, sources: Record<string, string>): boolean {
  // Arrays and records set whole by one source (e.g. OPSCTL_BOT_ALLOWED_CHATS) count for their elements.
  const parts = key.split('.');
  for (let i = parts.length - 1; i > 0; i--) if (parts.slice(0, i).join('.') in sources) return true;
  return false;
}

function mergeEnvFile(processEnv: Record<string, string | undefined>, explicit: string | undefined, cwd: string) {
  const candidate = explicit ? resolve(cwd, explicit) : join(cwd, '.env');
  if (!existsSync(candidate)) {
    if (explicit) {
      throw new ConfigError(`env file not found: ${candidate}`, {
        hint: 'Check the --env-file path, or leave it out to read ./.env.',
      });
    }
    return { env: { ...processEnv }, envFile: undefined, envFileKeys: new Set<string>() };
  }
  const parsed = readEnvFile(candidate);
  // Variables already in the process environment win over the file, as with dotenv and docker compose.
  return { env: { ...parsed, ...processEnv }, envFile: candidate, envFileKeys: new Set(Object.keys(parsed)) };
}

function readEnvFile(path: string): Record<string, string> {
  try {
    return parseEnv(
      withOsErrorsSync({ path, key: '--env-file', what: 'reading the env file', config: true }, () =>
        readFileSync(path, 'utf8'),
      ),
    ) as Record<string, string>;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`cannot read env file ${path}: ${(error as Error).message}`, {
      hint: 'Each line must be NAME=value; see .env.example.',
    });
  }
}

/**
 * Config discovery, first match wins: --config, $OPSCTL_CONFIG, ./opsctl.config.json, the demo workspace's
 * $OPSCTL_HOME/opsctl.config.json (./.opsctl by default), $XDG_CONFIG_HOME/opsctl/opsctl.config.json (~/.config when
 * unset), /etc/opsctl/opsctl.config.json.
 */
export function configCandidates(
  env: Record<string, string | undefined>,
  cwd: string,
): Array<{ path: string; foundBy: string }> {
  const xdg = env.XDG_CONFIG_HOME?.trim() || (env.HOME ? join(env.HOME, '.config') : undefined);
  return [
    { path: join(cwd, CONFIG_FILE_NAME), foundBy: `./${CONFIG_FILE_NAME}` },
    { path: join(resolve(cwd, env.OPSCTL_HOME?.trim() || '.opsctl'), CONFIG_FILE_NAME), foundBy: '$OPSCTL_HOME' },
    ...(xdg ? [{ path: join(resolve(cwd, xdg), 'opsctl', CONFIG_FILE_NAME), foundBy: '$XDG_CONFIG_HOME' }] : []),
    { path: join('/etc/opsctl', CONFIG_FILE_NAME), foundBy: '/etc/opsctl' },
  ];
}

function findConfigFile(
  explicit: string | undefined,
  env: Record<string, string | undefined>,
  cwd: string,
): { path: string | undefined; foundBy: string | undefined; searched: string[] } {
  const chosen = explicit ?? env.OPSCTL_CONFIG;
  if (chosen) {
    const path = resolve(cwd, chosen);
    if (!existsSync(path)) {
      throw new ConfigError(`config file not found: ${path}`, {
        hint: `${explicit ? '--config' : 'OPSCTL_CONFIG'} must name an existing file; \`opsctl demo\` writes an example to $OPSCTL_HOME/${CONFIG_FILE_NAME}.`,
      });
    }
    return { path, foundBy: explicit ? '--config' : 'OPSCTL_CONFIG', searched: [path] };
  }
  const candidates = configCandidates(env, cwd);
  const hit = candidates.find((c) => existsSync(c.path));
  return { path: hit?.path, foundBy: hit?.foundBy, searched: candidates.map((c) => c.path) };
}

function readConfigFile(path: string): Record<string, unknown> {
  const text = withOsErrorsSync(
    { path, key: '--config / OPSCTL_CONFIG', what: 'reading the config file', config: true },
    () => readFileSync(path, 'utf8'),
  );
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const where = locateJsonError(text);
    throw new ConfigError(`${path} is not valid JSON${where ? ` at ${where}` : `: ${(error as Error).message}`}`, {
      hint: 'Fix the JSON syntax (no comments or trailing commas).',
    });
  }
  if (!isPlainObject(parsed)) {
    throw new ConfigError(`${path} must hold a JSON object`, {
      hint: 'The file starts with { and holds the sections described in the README.',
    });
  }
  return parsed;
}

/** `${NAME}` in a string of the config file is replaced by that environment variable. */
function interpolateEnv(
  raw: Record<string, unknown>,
  env: Record<string, string | undefined>,
  sources: Record<string, string>,
  problems: Problem[],
) {
  for (const leaf of leaves(raw)) {
    if (typeof leaf.value !== 'string' || !leaf.value.includes('${')) continue;
    const names: string[] = [];
    const value = leaf.value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      names.push(name);
      const v = env[name];
      if (v === undefined) {
        problems.push({
          path: leaf.path,
          source: 'file',
          message: `refers to \${${name}}, which is not set`,
          hint: `set ${name} in the environment or the .env file`,
        });
        return '';
      }
      return v;
    });
    setAt(raw, leaf.path, value);
    if (names.length) sources[dotted(leaf.path)] = `file (${names.map((n) => `\${${n}}`).join(', ')})`;
  }
}

interface Problem {
  path: Path;
  source: string | undefined;
  message: string;
  received?: unknown;
  hint?: string;
  secret?: boolean | undefined;
}

type Issue = z.core.$ZodIssue;

function problemFromIssue(issue: Issue, raw: Record<string, unknown>, sources: Record<string, string>): Problem {
  let path: Path = issue.path as Path;
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys;
    path = [...path, ...(keys.length === 1 ? [keys[0]!] : [])];
    message = keys.length === 1 ? 'is not a known field' : `has unknown fields ${keys.map((k) => `"${k}"`).join(', ')}`;
    return {
      path,
      source: sourceOf(path, sources),
      message,
      hint: 'remove it or check its spelling against the README',
    };
  }
  if (issue.code === 'invalid_key') {
    const inner = issue.issues[0]?.message;
    message = `is not a valid name${inner ? `: ${inner.replace(/^Invalid string: /, '')}` : ''}`;
    return { path, source: sourceOf(path, sources), message, hint: 'rename it' };
  }
  const received = getAt(raw, path);
  const params = (issue as { params?: { hint?: string } }).params;
  message = message.replace(/^Invalid input: /, '').replace(/^Invalid option: /, '');
  if (received === undefined && issue.code === 'invalid_type') message = `is required (${message})`;
  return {
    path,
    source: sourceOf(path, sources),
    message,
    received,
    hint: params?.hint,
    secret: path.some((p) => isSecretKey(String(p))),
  };
}

function sourceOf(path: Path, sources: Record<string, string>): string | undefined {
  for (let i = path.length; i > 0; i--) {
    const source = sources[dotted(path.slice(0, i))];
    if (source) return source;
  }
  return undefined;
}

function describeSource(source: string | undefined, configFile: string | undefined): string {
  if (!source) return 'missing';
  if (source.startsWith('env:') || source.startsWith('.env:')) {
    const [kind, name] = source.split(':');
    return kind === '.env' ? `from ${name} in the .env file` : `from environment variable ${name}`;
  }
  if (source.startsWith('file')) return `in ${configFile ?? 'the config'}`;
  if (source.startsWith('flag:')) return `from ${source.slice(5)}`;
  return source;
}

function fixFor(problem: Problem): string {
  if (problem.hint) return problem.hint;
  const env = problem.source?.match(/^\.?env:(.+)$/)?.[1];
  if (env) return `fix ${env}`;
  return `fix ${dotted(problem.path) || 'the file'}`;
}

function configErrorFrom(problems: Problem[], configFile: string | undefined): ConfigError {
  const lines = problems.map((p) => {
    const received =
      p.received === undefined || isPlainObject(p.received) || p.secret ? '' : `, got ${JSON.stringify(p.received)}`;
    return `  - ${dotted(p.path) || '(root)'} (${describeSource(p.source, configFile)}): ${p.message}${received}; ${fixFor(p)}`;
  });
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new ConfigError(`invalid configuration (${count}):\n${lines.join('\n')}`, {
    hint: `Fix the fields named above${configFile ? ` in ${configFile}` : ''} or the environment variables; \`opsctl config show\` prints the effective config once it loads.`,
    details: {
      problems: problems.map((p) => ({
        path: dotted(p.path),
        source: p.source ?? 'missing',
        message: p.message,
        fix: fixFor(p),
      })),
    },
  });
}

/**
 * Where the embedded engines live when neither the config file nor OPSCTL_HOME says. A config found as
 * $OPSCTL_HOME/opsctl.config.json (the demo's ./.opsctl) keeps its data beside it; any other config file (./, XDG,
 * /etc, --config) uses the XDG state directory, so a cron job or a shell in another directory never grows a
 * ./.opsctl of its own. The demo and a config handed over as an object (tests, benches) keep ./.opsctl, as does an
 * environment without HOME.
 */
export function defaultHome(where: {
  env: Record<string, string | undefined>;
  cwd: string;
  configFile: string | undefined;
  foundBy: string | undefined;
  embedded: boolean;
}): string {
  const { env, cwd, configFile } = where;
  if (configFile && where.foundBy === '$OPSCTL_HOME') return dirname(configFile);
  if (!where.embedded) {
    const xdg = env.XDG_STATE_HOME?.trim();
    if (xdg) return join(resolve(cwd, xdg), 'opsctl');
    if (env.HOME?.trim()) return join(env.HOME, '.local', 'state', 'opsctl');
  }
  return resolve(cwd, '.opsctl');
}

function resolveConfig(
  parsed: ParsedConfig,
  ctx: { cwd: string; baseDir: string; sources: Record<string, string>; defaultHome: string },
): Config {
  // Paths from the config file are relative to the file; paths from the environment or defaults to the cwd.
  const rel = (path: string, key: string) =>
    isAbsolute(path) ? path : resolve(ctx.sources[key]?.startsWith('file') ? ctx.baseDir : ctx.cwd, path);
  // The default migrations folder sits beside the config file (as a value written in the file does): resolved
  // against the working directory, a cron job elsewhere would see every applied migration as missing.
  const relDefaultBeside = (path: string, key: string) =>
    isAbsolute(path) || (ctx.sources[key] !== undefined && !ctx.sources[key].startsWith('file'))
      ? rel(path, key)
      : resolve(ctx.baseDir, path);
  const home = parsed.home === undefined ? ctx.defaultHome : rel(parsed.home, 'home');
  const stateUrl = parsed.state.url
    ? normalizeSqliteUrl(parsed.state.url, (p) => rel(p, 'state.url'))
    : `sqlite:${join(home, 'state.db')}`;
  const targets: ParsedConfig['targets'] = {};
  for (const [name, target] of Object.entries(parsed.targets)) {
    targets[name] =
      target.engine === 'pglite'
        ? { ...target, path: target.path ? rel(target.path, `targets.${name}.path`) : join(home, 'pglite', name) }
        : target;
  }
  return {
    ...parsed,
    home,
    baseDir: ctx.baseDir,
    state: { ...parsed.state, url: stateUrl },
    warehouse: {
      ...parsed.warehouse,
      duckdb: {
        path: parsed.warehouse.duckdb.path
          ? rel(parsed.warehouse.duckdb.path, 'warehouse.duckdb.path')
          : join(home, 'warehouse.duckdb'),
      },
    },
    targets,
    backups: {
      ...parsed.backups,
      dir: parsed.backups.dir ? rel(parsed.backups.dir, 'backups.dir') : join(home, 'backups'),
    },
    migrations: { ...parsed.migrations, dir: relDefaultBeside(parsed.migrations.dir, 'migrations.dir') },
  };
}

function normalizeSqliteUrl(url: string, abs: (p: string) => string): string {
  if (!url.startsWith('sqlite:')) return url;
  const path = url.slice('sqlite:'.length).replace(/^\/\//, '');
  return `sqlite:${abs(path)}`;
}
