import { run } from '../../catalog.js';
import { noFileAtAll, problemsOf } from '../../../src/migrations/status.js';
import { fail, pass, type CheckGroup } from '../types.js';

/**
 * Before a deploy every database must be migrated: no pending migration, no file changed after it was applied (drift),
 * none missing, and no MySQL/MariaDB migration left dirty half-way. One check per target.
 */
export const migrationsChecks: CheckGroup = {
  id: 'migrations',
  title: 'Migrations',
  async run({ ctx, config, emit }) {
    const names = Object.keys(config.targets);
    if (names.length === 0) {
      emit(pass('migrations', 'no database targets configured'));
      return;
    }
    const status = await run('migrate.status', ctx, {});
    for (const t of status.targets) {
      const name = `migrations ${t.target}`;
      if (t.error) {
        emit(fail(name, t.error, t.hint ?? `Check targets.${t.target} and that the server is running.`));
        continue;
      }
      const problems = problemsOf(t);
      if (t.dirty) {
        emit(
          fail(
            name,
            problems[0]!,
            `Fix the statements by hand (\`opsctl migrate status ${t.target}\` lists them), then \`opsctl migrate repair ${t.target} --yes\`.`,
          ),
        );
      } else if (problems.length) {
        emit(
          fail(
            name,
            problems.join('; '),
            noFileAtAll(t)
              ? `Point migrations.dir at the folder that holds ${t.target}'s files (relative to the config file); do not repair.`
              : `Restore the applied files, or accept the changes with \`opsctl migrate repair ${t.target} --yes\`.`,
          ),
        );
      } else if (t.pending.length) {
        const list = t.pending
          .slice(0, 5)
          .map((p) => `${p.version}_${p.name}`)
          .join(', ');
        emit(
          fail(
            name,
            `${t.pending.length} pending: ${list}${t.pending.length > 5 ? ', …' : ''}`,
            `Run \`opsctl migrate up ${t.target}\` (preview with --dry-run).`,
          ),
        );
      } else if (t.migrations.length === 0) {
        emit(pass(name, `no migrations in ${t.dir}`));
      } else {
        emit(pass(name, `${t.applied.length} applied, at ${t.current ?? 'none'}; checksums match`));
      }
    }
  },
};
