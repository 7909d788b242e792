import { probeTarget } from '../../../src/db/probe.js';
import { openTarget } from '../../../src/db/target.js';
import type { TargetConfig } from '../../../src/config/schema.js';
import { isOpsError } from '../../../src/errors.js';
import { withTimeout } from '../../../src/util/timeout.js';
import { judgeVersion } from '../../../src/validate/versions.js';
import { probeWarehouse } from '../../../src/warehouse/probe.js';
import { fail, pass, warn, type CheckEnv, type CheckGroup, type CheckOutcome } from '../types.js';

const TIMEOUT_MS = 10_000;

/** The state store, the warehouse and every database target answer, on a supported server version. */
export const connectivityChecks: CheckGroup = {
  id: 'connectivity',
  title: 'Connectivity',
  async run(e) {
    e.emit(await stateStore(e));
    const wh = await probeWarehouse(e.config, { timeoutMs: TIMEOUT_MS });
    e.emit(
      wh.status === 'up'
        ? pass('warehouse', `${wh.kind} answers (${wh.version ?? 'version unknown'})`)
        : wh.status === 'absent'
          ? pass('warehouse', `${wh.kind} file not created yet (created by the first pipeline run)`)
          : fail('warehouse', `${wh.kind} ${wh.location}: ${wh.error ?? wh.status}`, wh.hint ?? 'Check the warehouse settings with `opsctl status`.'),
    );
    const names = Object.keys(e.config.targets);
    if (names.length === 0) e.emit(warn('targets', 'no database targets configured', 'Add targets to opsctl.config.json (or set DATABASE_URL).'));
    const outcomes = await Promise.all(names.map((name) => target(e, name, e.config.targets[name]!)));
    for (const list of outcomes) for (const outcome of list) e.emit(outcome);
  },
};

async function stateStore(e: CheckEnv): Promise<CheckOutcome> {
  try {
    const store = await withTimeout(TIMEOUT_MS, 'state store', () => e.ctx.state());
    const version = await store.serverVersion();
    if (e.env === 'production' && store.dialect.name === 'sqlite') {
      return warn('state store', `embedded SQLite (${version}) in production`, 'Point OPSCTL_STATE_URL at PostgreSQL so cron, the bot and operators on other hosts share one state.');
    }
    return pass('state store', `${store.dialect.name} answers (${version})`);
  } catch (error) {
    return fail('state store', (error as Error).message, isOpsError(error) && error.hint ? error.hint : 'Check OPSCTL_STATE_URL.');
  }
}

async function target(e: CheckEnv, name: string, config: TargetConfig): Promise<CheckOutcome[]> {
  const check = `target ${name}`;
  const health = await probeTarget(name, config, { timeoutMs: TIMEOUT_MS });
  if (health.status === 'absent') return [pass(check, `${config.engine} data directory not created yet (created on first use)`)];
  if (health.status !== 'up') {
    return [fail(check, `${health.location}: ${health.error ?? health.status}`, health.hint ?? `Check targets.${name} and that the server is running.`)];
  }
  const out: CheckOutcome[] = [];
  const verdict = judgeVersion(health.version ?? '');
  if (!verdict) out.push(warn(check, `answers, but its version "${health.version}" is not one opsctl recognises`, 'Check that the target is PostgreSQL, MySQL or MariaDB.'));
  else if (!verdict.ok) {
    out.push(fail(check, `${verdict.product} ${verdict.version} is older than the supported ${verdict.minimum}`, `Upgrade the server to ${verdict.product} ${verdict.minimum} or later.`));
  } else out.push(pass(check, `${health.version} (${health.latencyMs} ms)`));
  if (config.engine === 'postgres') out.push(await timescale(name, config));
  return out;
}

/** "optimal" with TimescaleDB (hypertables, retention), "basic" on plain PostgreSQL: both are fine to ship. */
async function timescale(name: string, config: TargetConfig): Promise<CheckOutcome> {
  const check = `target ${name} timescaledb`;
  try {
    const version = await withTimeout(TIMEOUT_MS, `target ${name}`, async () => {
      const db = await openTarget(name, config, { connectTimeoutMs: TIMEOUT_MS });
      try {
        const rows = await db.query<{ v: string }>("SELECT extversion AS v FROM pg_extension WHERE extname = 'timescaledb'");
        return rows[0]?.v;
      } finally {
        await db.close();
      }
    });
    return pass(check, version ? `optimal: TimescaleDB ${version}` : 'basic: plain PostgreSQL (no TimescaleDB extension)');
  } catch (error) {
    return warn(check, `could not read the extensions: ${(error as Error).message}`, 'Check the role may read pg_extension.');
  }
}
