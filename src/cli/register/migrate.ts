import type { Command } from 'commander';
import type { ResultFor } from '../../../commands/catalog.js';
import { parseDuration } from '../../config/sections/common.js';
import { UsageError } from '../../errors.js';
import { duration, plural } from '../../format.js';
import { action, type Options } from '../action.js';
import { CONFIRM_TARGET_FLAG, CONFIRM_TARGET_HELP, confirmation, required, text, wholeNumber } from '../args.js';
import type { TextOut } from '../output.js';

type MigrateStatusResult = ResultFor<'migrate.status'>;
type TargetMigrationStatus = MigrateStatusResult['targets'][number];
type MigrationEntry = TargetMigrationStatus['migrations'][number];
/** up and down share their result. */
type MigrateRunResult = ResultFor<'migrate.up'>;

function lockTimeout(o: Options): { lockTimeoutMs?: number } {
  if (o.lockTimeout === undefined) return {};
  const ms = parseDuration(String(o.lockTimeout));
  if (ms === undefined)
    throw new UsageError(`--lock-timeout ${String(o.lockTimeout)}: not a duration`, {
      hint: 'e.g. --lock-timeout 30s, 500ms, 2m.',
    });
  return { lockTimeoutMs: ms };
}

export function registerMigrate(program: Command): void {
  const migrate = program
    .command('migrate')
    .description(
      'Database migrations (PostgreSQL, MySQL/MariaDB, PGlite): status, up, down, validate, create, baseline, repair',
    )
    .helpGroup('Databases:')
    .addHelpText(
      'after',
      `
Files live in migrations.dir (default ./migrations) as <target>/<version>_<name>.sql, one file per migration:

  -- migrate:up
  CREATE INDEX ix_invoices_org_created ON invoices (organization_id, created_at DESC);
  -- migrate:down
  DROP INDEX ix_invoices_org_created;

Each database keeps a history table (opsctl_schema_migrations) with version, checksum, applied_at, duration and who.
up/down/baseline/repair hold a lock (pg_advisory_lock, GET_LOCK on MySQL) and wait migrations.lockTimeout for it.
PostgreSQL runs each migration in a transaction ("-- migrate:up transaction:false" opts out, for CONCURRENTLY).
MySQL/MariaDB commit DDL at once: statements run one by one and each is recorded; a failure leaves the migration dirty
and up refuses to go on until \`migrate repair\` is run.

Examples:
  opsctl migrate status
  opsctl migrate up app --dry-run
  opsctl migrate down app --steps 2 --yes
  opsctl migrate down prod --confirm-target prod   # a production target needs its name
  opsctl migrate create reco add_recommendation_indexes`,
    );

  migrate
    .command('status')
    .description(
      'Applied, pending, drifted and missing migrations per target; a dirty one lists the statements that ran and the one that failed',
    )
    .argument('[target]', 'one target (default: every target)')
    .action(
      action({
        operation: 'migrate.status',
        input: ([target]) => ({ target }),
        render: renderStatus,
        exitCode: (r) => (r.ok ? 0 : 1),
      }),
    );

  migrate
    .command('up')
    .description('Apply pending migrations in version order')
    .argument('[target]', 'the target (default: the only one configured)')
    .option('--to <version>', 'stop after this version')
    .option('--dry-run', 'print the SQL that would run, in order, and change nothing')
    .option('--lock-timeout <duration>', "wait this long for another run's lock (default: migrations.lockTimeout)")
    .action(
      action({
        operation: 'migrate.up',
        input: ([target], o) => ({
          target,
          to: text(o.to),
          dryRun: Boolean(o.dryRun),
          ...lockTimeout(o),
        }),
        render: renderRun,
      }),
    );

  migrate
    .command('down')
    .description(
      'Roll back the newest applied migrations with their down sections (asks for confirmation; typed on production targets)',
    )
    .argument('[target]', 'the target (default: the only one configured)')
    .option('--steps <n>', 'how many migrations to roll back', '1')
    .option('--dry-run', 'print the SQL that would run, in order, and change nothing')
    .option('--lock-timeout <duration>', "wait this long for another run's lock (default: migrations.lockTimeout)")
    .option('-y, --yes', 'confirm without asking (scripts)')
    .option(CONFIRM_TARGET_FLAG, CONFIRM_TARGET_HELP)
    .action(
      action({
        operation: 'migrate.down',
        input: ([target], o) => ({
          target,
          steps: wholeNumber(o.steps, '--steps'),
          dryRun: Boolean(o.dryRun),
          ...confirmation(o),
          ...lockTimeout(o),
        }),
        render: renderRun,
      }),
    );

  migrate
    .command('validate')
    .description('Exit 1 when an applied file changed (checksum drift), is missing, or a migration is dirty')
    .argument('[target]', 'one target (default: every target)')
    .action(
      action({
        operation: 'migrate.validate',
        input: ([target]) => ({ target }),
        render(r, out) {
          for (const t of r.targets) {
            out.line(
              `${t.ok ? out.c.green('OK  ') : out.c.red('FAIL')} ${t.target}${t.pending.length ? out.c.dim(` (${t.pending.length} pending: ${t.pending.slice(0, 5).join(', ')}${t.pending.length > 5 ? ', …' : ''})`) : ''}`,
            );
            for (const p of t.problems) out.line(`     ${p}`);
            for (const w of t.warnings) out.line(out.c.yellow(`     warning: ${w}`));
          }
        },
        exitCode: (r) => (r.ok ? 0 : 1),
      }),
    );

  migrate
    .command('create')
    .description('Write the next migration file for a target, with empty up and down sections')
    .argument('<target>', 'the target')
    .argument('<name>', 'what it does, e.g. add_invoice_indexes')
    .action(
      action({
        operation: 'migrate.create',
        input: (args) => ({ target: required(args, 0, '<target>'), name: required(args, 1, '<name>') }),
        render: (r, out) => out.line(`created ${r.path}`),
      }),
    );

  migrate
    .command('baseline')
    .description(
      'Record the files up to <version> as applied without running them (a database that already has that schema)',
    )
    .argument('<target>', 'the target')
    .argument('<version>', 'the newest version the database already has')
    .option('--lock-timeout <duration>', "wait this long for another run's lock (default: migrations.lockTimeout)")
    .action(
      action({
        operation: 'migrate.baseline',
        input: (args, o) => ({
          target: required(args, 0, '<target>'),
          version: required(args, 1, '<version>'),
          ...lockTimeout(o),
        }),
        render: (r, out) => {
          out.line(`baselined ${plural(r.baselined.length, 'migration')} on "${r.target}" up to ${r.version}:`);
          for (const b of r.baselined) out.line(`  ${b.version}_${b.name}`);
        },
      }),
    );

  migrate
    .command('repair')
    .description(
      "After a fix by hand: clear a dirty migration, accept changed files' checksums, forget missing files (asks for confirmation)",
    )
    .argument('[target]', 'the target (default: the only one configured)')
    .option(
      '--completed',
      "the dirty migration's remaining statements were finished by hand (default: its partial statements were undone)",
    )
    .option('--dry-run', 'list what would be repaired and change nothing')
    .option('--lock-timeout <duration>', "wait this long for another run's lock (default: migrations.lockTimeout)")
    .option('-y, --yes', 'confirm without asking (scripts)')
    .option(CONFIRM_TARGET_FLAG, CONFIRM_TARGET_HELP)
    .action(
      action({
        operation: 'migrate.repair',
        input: ([target], o) => ({
          target,
          completed: Boolean(o.completed),
          dryRun: Boolean(o.dryRun),
          ...confirmation(o),
          ...lockTimeout(o),
        }),
        render(r, out) {
          if (r.actions.length === 0) {
            out.line(`nothing to repair on "${r.target}"`);
            return;
          }
          out.line(`${r.dryRun ? 'would repair' : 'repaired'} "${r.target}":`);
          for (const a of r.actions) out.line(`  ${a.version}_${a.name}: ${a.detail}`);
        },
      }),
    );
}

const STATE_COLOR: Record<MigrationEntry['state'], 'green' | 'yellow' | 'red' | 'dim' | 'cyan'> = {
  applied: 'green',
  baseline: 'cyan',
  pending: 'yellow',
  drifted: 'red',
  missing: 'red',
  dirty: 'red',
};

export function renderStatus(r: MigrateStatusResult, out: TextOut): void {
  r.targets.forEach((t, i) => {
    if (i > 0) out.line();
    renderTarget(t, out);
  });
  if (r.targets.length === 0) out.line(out.c.dim('no targets configured'));
  for (const d of r.unconfigured)
    out.line(
      out.c.dim(`note: migrations/${d} has no target in the config (targets.${d}); its files are never applied`),
    );
}

function renderTarget(t: TargetMigrationStatus, out: TextOut): void {
  const head = `${out.c.bold(t.target)} ${out.c.dim(`${t.engine} ${t.location}${t.production ? ' PRODUCTION' : ''}`)}`;
  if (t.error) {
    out.line(head);
    out.line(out.c.red(`  error: ${t.error}`));
    if (t.hint) out.line(out.c.dim(`  hint: ${t.hint}`));
    return;
  }
  const counts = [
    `current ${t.current ?? 'none'}`,
    `${t.applied.length} applied`,
    `${t.pending.length} pending`,
    ...(t.drifted.length ? [out.c.red(`${t.drifted.length} drifted`)] : []),
    ...(t.missing.length ? [out.c.red(`${t.missing.length} missing`)] : []),
    ...(t.dirty ? [out.c.red('DIRTY')] : []),
  ];
  out.line(`${head}  ${counts.join(' · ')}`);
  for (const w of t.warnings ?? []) out.line(out.c.yellow(`  warning: ${w}`));
  out.table(
    t.migrations,
    [
      { header: 'VERSION', value: (m) => m.version },
      { header: 'NAME', value: (m) => m.name },
      {
        header: 'STATE',
        value: (m) => (m.outOfOrder ? `${m.state} (out of order)` : m.state),
        color: (s, m) => out.c[STATE_COLOR[m.state]](s),
      },
      { header: 'APPLIED', value: (m) => (m.appliedAt ? m.appliedAt.slice(0, 19).replace('T', ' ') : '') },
      { header: 'TOOK', value: (m) => duration(m.durationMs), align: 'right' },
      { header: 'BY', value: (m) => m.appliedBy ?? '' },
    ],
    { empty: `  (no migrations: add files to ${t.dir})` },
  );
  for (const m of t.drifted)
    out.line(
      out.c.red(
        `drift: ${m.file} (version ${m.version}) changed after it was applied: checksum ${m.checksum?.file?.slice(0, 12)}, recorded ${m.checksum?.recorded?.slice(0, 12)}`,
      ),
    );
  for (const m of t.missing)
    out.line(out.c.red(`missing: version ${m.version} (${m.name}) is applied but has no file in ${t.dir}`));
  if (t.dirty?.runningBy) {
    const d = t.dirty;
    out.line(
      out.c.yellow(
        `running: ${d.operation} of ${d.version}_${d.name} by ${d.runningBy}, ${d.statementsDone} of ${d.statementsTotal} statements done`,
      ),
    );
  } else if (t.dirty) {
    const d = t.dirty;
    out.line(
      out.c.red(
        `dirty: ${d.operation} of ${d.version}_${d.name} stopped after ${d.statementsDone} of ${d.statementsTotal} statements`,
      ),
    );
    d.ran.forEach((s, i) => out.line(`  ${out.c.green('ran   ')} ${i + 1}. ${oneLine(s)}`));
    if (d.failedStatement)
      out.line(`  ${out.c.red('FAILED')} ${d.failedStatement}. ${oneLine(d.failed ?? '?')}\n         ${d.error ?? ''}`);
    const first = (d.failedStatement ?? d.statementsDone) + 1;
    d.notRun.forEach((s, i) => out.line(`  ${out.c.dim('not run')} ${first + i}. ${oneLine(s)}`));
    out.line(
      out.c.dim(
        '  fix by hand, then: opsctl migrate repair --yes (add --completed if you finished the remaining statements)',
      ),
    );
  }
}

const oneLine = (sql: string) => sql.replace(/\s+/g, ' ').trim().slice(0, 110);

export function renderRun(r: MigrateRunResult, out: TextOut): void {
  if (r.dryRun) {
    if (r.plan.length === 0) out.line(out.c.dim(`-- nothing to run on "${r.target}" (current ${r.current ?? 'none'})`));
    for (const p of r.plan) {
      out.line(
        out.c.bold(
          `-- ${p.direction} ${p.version}_${p.name} on "${r.target}" (${p.transaction ? 'in a transaction' : 'statement by statement, no transaction'})`,
        ),
      );
      for (const w of p.warnings ?? []) out.line(out.c.yellow(`-- warning: ${w}`));
      for (const s of p.statements) out.line(`${s};`);
      out.line();
    }
    out.line(out.c.dim('-- dry run: nothing was changed'));
    return;
  }
  if (r.done.length === 0)
    out.line(
      `nothing to ${r.plan[0]?.direction === 'down' ? 'roll back' : 'apply'} on "${r.target}"; current ${r.current ?? 'none'}`,
    );
  for (const d of r.done)
    out.line(
      `${d.direction === 'up' ? out.c.green('applied    ') : out.c.yellow('rolled back')} ${d.version}_${d.name} (${plural(d.statements, 'statement')}, ${duration(d.durationMs)})`,
    );
  if (r.done.length) out.line(out.c.dim(`"${r.target}" is now at ${r.current ?? 'no migration'}`));
}
