import type { Command } from 'commander';
import { action } from '../action.js';
import { duration } from '../../format.js';
import { invokedAs } from '../invoked.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Build a demo workspace in OPSCTL_HOME on the embedded engines and run every capability once')
    .helpGroup('Setup:')
    .addHelpText(
      'after',
      '\nThe demo reads no config file and no credentials: SQLite state, DuckDB warehouse and a PGlite database named\n"local", all inside OPSCTL_HOME (default ./.opsctl). Afterwards `opsctl` opens the console on that workspace.',
    )
    .action(
      action({
        operation: 'demo.run',
        input: () => ({}),
        config: 'isolated',
        render(result, out) {
          out.line(`${out.c.bold('demo workspace')} ${result.home}  (run ${result.runId})`);
          out.table(result.steps, [
            { header: 'STEP', value: (s) => s.name },
            {
              header: 'RESULT',
              value: (s) => s.status,
              color: (t, s) => (s.status === 'ok' ? out.c.green(t) : out.c.red(t)),
            },
            { header: 'TOOK', value: (s) => duration(s.durationMs), align: 'right' },
            { header: 'DETAIL', value: (s) => s.detail },
          ]);
          out.line();
          out.line(`config: ${result.configFile}`);
          const opsctl = invokedAs();
          out.line(
            `next: ${out.c.cyan(opsctl)} opens the console on this workspace; ${out.c.cyan(`${opsctl} status`)} checks it headless.`,
          );
        },
      }),
    );
}
