import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { ResultFor } from '../../../commands/catalog.js';
import { ENVIRONMENTS } from '../../config/schema.js';
import { duration, plural } from '../../format.js';
import { action } from '../action.js';
import { oneOf, texts } from '../args.js';
import type { TextOut } from '../output.js';

type ValidateResult = ResultFor<'validate'>;
type CheckResult = ValidateResult['checks'][number];

const GROUP_IDS = ['config', 'environment', 'connectivity', 'migrations', 'sync', 'backups', 'bigquery', 'loadtests'];

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('The pre-deployment gate: is it safe to ship? Exit 1 on any failed check; warnings never fail')
    .addOption(
      new Option('--env <environment>', 'validate for this environment (default: ENVIRONMENT)').choices([
        'development',
        'staging',
        'production',
      ]),
    )
    .option('--junit <file>', 'also write the results as JUnit XML (one test case per check) for CI')
    .option('--only <group...>', `only these check groups: ${GROUP_IDS.join(', ')}`)
    .helpGroup('Overview:')
    .addHelpText(
      'after',
      `
Each check prints pass, warn or fail with a one-line reason and, when it is not a pass, a hint.
Secrets are never printed: not in text, JSON or the JUnit file.

Examples:
  opsctl validate --env production --junit reports/validate.xml
  opsctl validate --only config environment
  opsctl validate --json | jq '.checks[] | select(.status == "fail")'`,
    )
    .action(
      action({
        operation: 'validate',
        config: 'tolerant',
        input: (_args, o, { configError }) => ({
          env: oneOf(o.env, ENVIRONMENTS, '--env'),
          only: texts(o.only),
          configError,
        }),
        renderItem: (item, out) => {
          if (isCheck(item)) renderCheck(item, out);
        },
        render: renderSummary,
        after: async (result, o) => {
          if (typeof o.junit !== 'string') return;
          const { toJunit } = await import('../../validate/junit.js');
          const file = resolve(o.junit);
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, toJunit(result));
        },
        exitCode: (r) => (r.noChecks ? 2 : r.ok ? 0 : 1),
      }),
    );
}

/** validate streams each finished check as `progress.item`. */
function isCheck(item: unknown): item is CheckResult {
  return typeof item === 'object' && item !== null && 'group' in item && 'status' in item && 'reason' in item;
}

const MARK: Record<CheckResult['status'], string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' };

function renderCheck(check: CheckResult, out: TextOut): void {
  const color = check.status === 'pass' ? out.c.green : check.status === 'warn' ? out.c.yellow : out.c.red;
  out.line(`${color(MARK[check.status])}  ${out.c.dim(check.group.padEnd(12))} ${check.name}: ${check.reason}`);
  if (check.hint && check.status !== 'pass') out.line(`      ${out.c.dim(`hint: ${check.hint}`)}`);
}

function renderSummary(result: ValidateResult, out: TextOut): void {
  out.line();
  const { pass, warn, fail } = result.counts;
  if (result.noChecks) {
    out.line(`${out.c.red(`NOT safe to ship to ${result.env}`)}: no checks selected (${result.checks[0]?.reason})`);
    return;
  }
  const verdict = result.ok
    ? out.c.green(`safe to ship to ${result.env}`)
    : out.c.red(`NOT safe to ship to ${result.env}`);
  out.line(`${verdict}: ${pass} passed, ${plural(warn, 'warning')}, ${fail} failed (${duration(result.durationMs)})`);
}
