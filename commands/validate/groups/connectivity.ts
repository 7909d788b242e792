import type { TargetConfig } from '../../../src/config/schema.js';
import { openTarget } from '../../../src/db/target.js';
import { duration } from '../../../src/format.js';
import { checkHealth } from '../../../src/health/registry.js';
import type { ComponentHealth } from '../../../src/health/types.js';
import { withTimeout } from '../../../src/util/timeout.js';
import { judgeVersion } from '../../../src/validate/versions.js';
import { fail, pass, warn, type CheckEnv, type CheckGroup, type CheckOutcome } from '../types.js';

const TIMEOUT_MS = 10_000;

/**
 * Every component of the health-check registry answers (the bot is not required; services are their own group), targets on a supported server
 * version; a component added to the registry is checked here without touching this file.
 */
export const connectivityChecks: CheckGroup = {
  id: 'connectivity',
  title: 'Connectivity',
  async run(e) {
    const components = await checkHealth(e.ctx, {
      timeoutMs: TIMEOUT_MS,
      signal: e.ctx.signal,
      // Services have their own group (validate --only services).
      filter: (c) => c.group !== 'bot' && c.group !== 'service',
    });
    if (!components.some((c) => c.group === 'target')) {
      e.emit(
        warn('targets', 'no database targets configured', 'Add targets to opsctl.config.json (or set DATABASE_URL).'),
      );
    }
    const outcomes = await Promise.all(components.map((c) => judge(e, c)));
    for (const list of outcomes) for (const outcome of list) e.emit(outcome);
  },
};

async function judge(e: CheckEnv, c: ComponentHealth): Promise<CheckOutcome[]> {
  if (c.status === 'absent')
    return [pass(c.label, `${c.kind} not created yet${c.hint ? ` (${c.hint.replace(/\.$/, '')})` : ''}`)];
  if (c.status !== 'up')
    return [fail(c.label, `${c.location}: ${c.error ?? c.status}`, c.hint ?? 'Check it with `opsctl status`.')];
  if (c.id === 'state' && e.env === 'production' && c.kind === 'sqlite') {
    return [
      warn(
        c.label,
        `embedded SQLite (${c.version}) in production`,
        'Point OPSCTL_STATE_URL at PostgreSQL so cron, the bot and operators on other hosts share one state.',
      ),
    ];
  }
  if (c.group !== 'target') return [pass(c.label, `${c.kind} answers (${c.version ?? 'version unknown'})`)];
  const out: CheckOutcome[] = [];
  const verdict = judgeVersion(c.version ?? '');
  if (!verdict)
    out.push(
      warn(
        c.label,
        `answers, but its version "${c.version}" is not one opsctl recognises`,
        'Check that the target is PostgreSQL, MySQL or MariaDB.',
      ),
    );
  else if (!verdict.ok) {
    out.push(
      fail(
        c.label,
        `${verdict.product} ${verdict.version} is older than the supported ${verdict.minimum}`,
        `Upgrade the server to ${verdict.product} ${verdict.minimum} or later.`,
      ),
    );
  } else out.push(pass(c.label, `${c.version} (${duration(c.latencyMs)})`));
  const target = e.config.targets[c.name];
  if (target?.engine === 'postgres') out.push(await timescale(c.name, target));
  return out;
}

/** "optimal" with TimescaleDB (hypertables, retention), "basic" on plain PostgreSQL: both are fine to ship. */
async function timescale(name: string, config: TargetConfig): Promise<CheckOutcome> {
  const check = `target ${name} timescaledb`;
  try {
    const version = await withTimeout(TIMEOUT_MS, `target ${name}`, async () => {
      const db = await openTarget(name, config, { connectTimeoutMs: TIMEOUT_MS });
      try {
        const rows = await db.query<{ v: string }>(
          "SELECT extversion AS v FROM pg_extension WHERE extname = 'timescaledb'",
        );
        return rows[0]?.v;
      } finally {
        await db.close();
      }
    });
    return pass(
      check,
      version ? `optimal: TimescaleDB ${version}` : 'basic: plain PostgreSQL (no TimescaleDB extension)',
    );
  } catch (error) {
    return warn(
      check,
      `could not read the extensions: ${(error as Error).message}`,
      'Check the role may read pg_extension.',
    );
  }
}
