import type { Command } from 'commander';
import type { ResultFor } from '../../../commands/catalog.js';
import { action } from '../action.js';
import {
  CONFIRM_TARGET_FLAG,
  CONFIRM_TARGET_HELP,
  confirmation,
  positiveNumber,
  required,
  text,
  wholeNumber,
} from '../args.js';
import { ago, bytes, duration, plural } from '../../format.js';
import type { TextOut } from '../output.js';

type BackupEntry = ResultFor<'backup.list'>['backups'][number];

export function registerBackup(program: Command): void {
  const backup = program
    .command('backup')
    .description('Backups proven by restoring them: create, list, verify (restore drill), restore, prune, freshness')
    .helpGroup('Databases:')
    .addHelpText(
      'after',
      `
Files go to backups.dir (default $OPSCTL_HOME/backups/<target>/), mode 0600, each with <file>.manifest.json
(engine, server and tool versions, size, sha256, start and end, row count of every table).
PostgreSQL: pg_dump --format=custom. MySQL/MariaDB: mariadb-dump --single-transaction --routines --triggers, gzip.
PGlite: the WASM pg_dump of @electric-sql/pglite-tools, gzip.

Examples:
  opsctl backup create app
  opsctl backup verify app            # the newest backup of app: checksum, restore drill, row counts, content
  opsctl backup list --json
  opsctl backup restore app-20261201T020000000Z --to staging --yes
  opsctl backup restore app --confirm-target app   # app is production: its name, not --yes, in scripts
  opsctl backup prune --dry-run
  opsctl backup freshness             # exit 1 when a target's newest verified backup is too old`,
    );

  backup
    .command('create')
    .description('Dump a target into the backup directory with a checksummed manifest and record it in the catalog')
    .argument('<target>', 'a target from config (targets.<name>)')
    .action(
      action({
        operation: 'backup.create',
        input: (args) => ({ target: required(args, 0, '<target>') }),
        render(r, out) {
          out.line(
            `${out.c.green('created')} ${r.backup.id}: ${bytes(r.backup.sizeBytes)} in ${duration(r.durationMs)}`,
          );
          out.kv([
            ['file', r.backup.path],
            ['manifest', r.manifestPath],
            ['sha256', r.backup.sha256],
            ['server', r.backup.serverVersion],
            ['tool', r.backup.tool],
            [
              'tables',
              `${r.backup.tables.length} (${plural(
                r.backup.tables.reduce((s, t) => s + t.rows, 0),
                'row',
              )})`,
            ],
          ]);
          out.line(out.c.dim(`not verified yet: opsctl backup verify ${r.backup.id}`));
        },
      }),
    );

  backup
    .command('list')
    .description('The catalog: backups per target, newest first, with size, age and verification')
    .argument('[target]', 'only this target')
    .action(
      action({
        operation: 'backup.list',
        input: ([target]) => (target ? { target } : {}),
        render: (r, out) => renderList(r.backups, r.maxAgeHours, out),
      }),
    );

  backup
    .command('verify')
    .description(
      'Prove a backup: checksum, restore into a scratch database (created and dropped), row counts and content checksums against the manifest',
    )
    .argument('<backup>', 'a backup id, or a target name for its newest backup')
    .action(
      action({
        operation: 'backup.verify',
        input: (args) => ({ backup: required(args, 0, '<backup>') }),
        render(r, out) {
          out.line(
            `${r.ok ? out.c.green('VERIFIED') : out.c.red('FAILED')} ${r.backup.id} in ${duration(r.durationMs)}`,
          );
          for (const s of r.steps)
            out.line(`  ${s.ok ? out.c.green('ok  ') : out.c.red('FAIL')} ${s.step.padEnd(10)} ${s.detail}`);
          if (r.mismatches.length) {
            out.table(r.mismatches, [
              { header: 'TABLE', value: (m) => m.table },
              { header: 'MANIFEST', value: (m) => m.expected ?? 'absent', align: 'right' },
              { header: 'RESTORED', value: (m) => m.actual ?? 'absent', align: 'right' },
            ]);
          }
        },
        exitCode: (r) => (r.ok ? 0 : 1),
      }),
    );

  backup
    .command('restore')
    .description(
      'Restore a backup into its target or another of the same engine (asks first; production asks for the name)',
    )
    .argument('<backup>', 'a backup id, or a target name for its newest backup')
    .option('--to <target>', "restore into this target instead of the backup's own")
    .option(
      '--no-privileges',
      "PostgreSQL: leave the backup's GRANTs and REVOKEs out (restored by default; a role this server lacks is a warning)",
    )
    .option('-y, --yes', 'confirm without asking (scripts)')
    .option(CONFIRM_TARGET_FLAG, CONFIRM_TARGET_HELP)
    .action(
      action({
        operation: 'backup.restore',
        input: (args, o) => ({
          backup: required(args, 0, '<backup>'),
          to: text(o.to),
          ...(o.privileges === false ? { noPrivileges: true } : {}),
          ...confirmation(o),
        }),
        render(r, out) {
          out.line(`${out.c.green('restored')} ${r.backup.id} into "${r.target}" in ${duration(r.durationMs)}`);
          if (r.backup.engine === 'postgres')
            out.line(
              out.c.dim(
                r.privileges.restored
                  ? `privileges: ${plural(r.privileges.statements, 'GRANT/REVOKE statement')} applied${r.privileges.warnings.length ? `, ${r.privileges.warnings.length} skipped` : ''}`
                  : 'privileges: not restored (--no-privileges)',
              ),
            );
          for (const w of r.privileges.warnings) out.line(out.c.yellow(`warning: ${w}`));
          out.table(
            [
              ...r.replaced.map((t) => ({
                what: 'replaced',
                table: t.table,
                before: t.rowsBefore,
                after: t.rowsAfter,
              })),
              ...r.created.map((t) => ({ what: 'created', table: t.table, before: null, after: t.rows })),
              ...r.removed.map((t) => ({ what: 'removed', table: t.table, before: t.rows, after: null })),
              ...r.untouched.map((t) => ({ what: 'untouched', table: t.table, before: t.rows, after: t.rows })),
            ],
            [
              { header: 'WHAT', value: (x) => x.what },
              { header: 'TABLE', value: (x) => x.table },
              { header: 'ROWS BEFORE', value: (x) => x.before, align: 'right' },
              { header: 'ROWS AFTER', value: (x) => x.after, align: 'right' },
            ],
            { empty: '(the backup holds no tables)' },
          );
          if (!r.matchesManifest)
            out.line(
              out.c.red(
                `row counts differ from the manifest in ${plural(r.mismatches.length, 'table')}: ${r.mismatches.map((m) => m.table).join(', ')}`,
              ),
            );
        },
        exitCode: (r) => (r.matchesManifest ? 0 : 1),
      }),
    );

  backup
    .command('prune')
    .description('Delete the backups the retention policy does not keep (shows them first; asks before deleting)')
    .argument('[target]', 'only this target')
    .option('--keep-last <n>', 'newest N backups per target (default: backups.retention.keepLast)')
    .option('--keep-daily <n>', 'newest backup of each of the last N days (default: backups.retention.keepDaily)')
    .option(
      '--keep-weekly <n>',
      'newest backup of each of the last N ISO weeks (default: backups.retention.keepWeekly)',
    )
    .option('--dry-run', 'only show what would be deleted')
    .option('-y, --yes', 'delete without asking (scripts)')
    .option(CONFIRM_TARGET_FLAG, CONFIRM_TARGET_HELP)
    .action(
      action({
        operation: 'backup.prune',
        input: ([target], o) => ({
          ...(target ? { target } : {}),
          keepLast: wholeNumber(o.keepLast, '--keep-last', { min: 0 }),
          keepDaily: wholeNumber(o.keepDaily, '--keep-daily', { min: 0 }),
          keepWeekly: wholeNumber(o.keepWeekly, '--keep-weekly', { min: 0 }),
          ...(o.dryRun ? { dryRun: true } : {}),
          ...confirmation(o),
        }),
        render(r, out) {
          out.line(
            out.c.dim(
              `policy: keep-last ${r.policy.keepLast}, keep-daily ${r.policy.keepDaily}, keep-weekly ${r.policy.keepWeekly}; the newest verified backup always stays`,
            ),
          );
          out.table(
            r.items,
            [
              { header: 'TARGET', value: (i) => i.backup.target },
              { header: 'BACKUP', value: (i) => i.backup.id },
              { header: 'SIZE', value: (i) => bytes(i.backup.sizeBytes), align: 'right' },
              {
                header: 'ACTION',
                value: (i) => (i.keep ? 'keep' : r.dryRun ? 'would delete' : 'deleted'),
                color: (t, i) => (i.keep ? t : out.c.yellow(t)),
              },
              { header: 'WHY', value: (i) => i.reasons.join(', ') },
            ],
            { empty: '(no backups)' },
          );
          const doomed = r.items.filter((i) => !i.keep).length;
          out.line(
            r.dryRun
              ? `${plural(doomed, 'backup')} would be deleted, ${bytes(r.freedBytes)}`
              : `${plural(r.deleted.length, 'backup')} deleted, ${bytes(r.freedBytes)} freed`,
          );
        },
      }),
    );

  backup
    .command('freshness')
    .description(
      'Age of the newest verified backup per target; exit 1 when one is older than backups.maxAgeHours or missing',
    )
    .argument('[target]', 'only this target')
    .option('--max-age-hours <h>', 'limit (default: backups.maxAgeHours, 24)')
    .action(
      action({
        operation: 'backup.freshness',
        input: ([target], o) => ({
          ...(target ? { target } : {}),
          maxAgeHours: positiveNumber(o.maxAgeHours, '--max-age-hours'),
        }),
        render(r, out) {
          out.table(
            r.targets,
            [
              { header: 'TARGET', value: (t) => t.target },
              { header: 'ENGINE', value: (t) => t.engine },
              { header: 'NEWEST VERIFIED', value: (t) => t.newestVerifiedId },
              {
                header: 'AGE',
                value: (t) => (t.ageHours === null ? '-' : duration(t.ageHours * 3_600_000)),
                align: 'right',
              },
              {
                header: 'STATUS',
                value: (t) => (t.absent ? 'absent' : t.stale ? 'STALE' : 'ok'),
                color: (s, t) => (t.stale ? out.c.red(s) : out.c.green(s)),
              },
              { header: 'WHY', value: (t) => t.reason },
            ],
            { empty: '(no targets configured)' },
          );
        },
        exitCode: (r) => (r.ok ? 0 : 1),
      }),
    );
}

export function renderList(backups: BackupEntry[], maxAgeHours: number, out: TextOut): void {
  const newestByTarget = new Map<string, string>();
  for (const b of backups) if (!newestByTarget.has(b.target)) newestByTarget.set(b.target, b.id);
  out.table(
    backups,
    [
      { header: 'TARGET', value: (b) => b.target },
      { header: 'BACKUP', value: (b) => b.id },
      { header: 'ENGINE', value: (b) => b.engine },
      { header: 'SIZE', value: (b) => bytes(b.sizeBytes), align: 'right' },
      {
        header: 'AGE',
        value: (b) => ago(b.finishedAt),
        color: (t, b) =>
          newestByTarget.get(b.target) === b.id && Date.now() - Date.parse(b.finishedAt) > maxAgeHours * 3_600_000
            ? out.c.red(t)
            : t,
      },
      {
        header: 'VERIFIED',
        value: (b) =>
          b.verifyStatus === 'passed' ? `yes, ${ago(b.verifiedAt)}` : b.verifyStatus === 'failed' ? 'FAILED' : 'no',
        color: (t, b) => (b.verifyStatus === 'failed' ? out.c.red(t) : b.verified ? out.c.green(t) : out.c.yellow(t)),
      },
      { header: 'TABLES', value: (b) => b.tables.length, align: 'right' },
    ],
    { empty: '(no backups in the catalog: opsctl backup create <target>)' },
  );
}
