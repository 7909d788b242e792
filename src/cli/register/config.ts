import type { Command } from 'commander';
import { action } from '../action.js';
import { formatCell } from '../output.js';

export function registerConfig(program: Command): void {
  const config = program
    .command('config')
    .description('Show and check the configuration (opsctl.config.json, environment, .env)')
    .helpGroup('Setup:');

  config
    .command('show')
    .description('Print the effective config and where each value came from (secrets redacted)')
    .action(
      action({
        operation: 'config.show',
        input: () => ({}),
        config: 'optional',
        render(result, out) {
          out.kv([
            [
              'config file',
              result.configFile
                ? `${result.configFile}${result.configFoundBy ? ` (found by ${result.configFoundBy})` : ''}`
                : `(none found; looked for ${result.configSearched.join(', ')})`,
            ],
            ['env file', result.envFiles.length ? result.envFiles.join(', ') : '(none)'],
            ['environment', result.environment],
          ]);
          out.line();
          out.table(result.values, [
            { header: 'KEY', value: (v) => v.path },
            { header: 'VALUE', value: (v) => formatCell(v.value) },
            {
              header: 'SOURCE',
              value: (v) => v.source,
              color: (t, v) => (v.source === 'default' ? out.c.dim(t) : out.c.cyan(t)),
            },
          ]);
        },
      }),
    );

  config
    .command('check')
    .description('Load the config and report every problem; exit 0 when it is valid, 2 when not')
    .action(
      action({
        operation: 'config.show',
        input: () => ({}),
        render(result, out) {
          out.line(
            `${out.c.green('ok')}: configuration is valid (${result.configFile ?? 'no config file: the environment only'}, ${result.environment})`,
          );
        },
      }),
    );
}
