import type { Command } from 'commander';
import { walkCommands } from './tree.js';

/**
 * Examples for the commands whose registration does not print its own "Examples:" block, by command path. Every leaf
 * command shows at least one example in `--help` (tests/cli.examples.test.ts walks the tree and fails on one without,
 * and checks that each example's options exist); docs/cli.md is generated from the same help.
 */
export const EXAMPLES: Record<string, Array<[command: string, note?: string]>> = {
  status: [
    ['opsctl status', 'every component: state store, warehouse, each target'],
    ['opsctl status --target app --timeout 2000 --json', 'one target, for scripts (exit 1 when it is down)'],
  ],
  'db top': [
    ['opsctl db top app', 'connections per user/application, running queries, who blocks whom'],
    ['opsctl db top reco --json', 'exit 1 when connections pass health.connections'],
  ],
  'db slow': [['opsctl db slow app', 'slowest statements, or how to turn statement statistics on']],
  'db indexes': [['opsctl db indexes app', 'unused indexes and table sizes']],
  'db cancel': [['opsctl db cancel app 4242', "cancel session 4242's statement (asks first)"]],
  'db terminate': [['opsctl db terminate prod 4242 --confirm-target prod', 'a production target needs its name']],
  'db maintain': [
    ['opsctl db maintain app events --yes', 'VACUUM ANALYZE events'],
    ['opsctl db maintain reco items --action analyze --yes', 'ANALYZE TABLE when the planner ignores a new index'],
  ],
  'etl history': [['opsctl etl history --limit 5'], ['opsctl etl history --pipeline spotify --status failed --json']],
  'etl show': [['opsctl etl show 42', 'run ids come from etl history']],
  'sync run': [
    ['opsctl sync run', 'every table of every enabled sync pipeline (cron)'],
    ['opsctl sync run --table dashboard_data --dry-run'],
    ['opsctl sync run --force', 'ignore the watermarks: reload the whole source'],
  ],
  'sync status': [['opsctl sync status'], ['opsctl sync status dashboard_data --json']],
  'sync setup': [
    ['opsctl sync setup', 'create the target tables and the bookkeeping tables'],
    ['opsctl sync setup --check', 'exit 1 when a target table is missing or differs'],
  ],
  'sync cleanup': [['opsctl sync cleanup', 'runs left "running" by a dead process become failed']],
  'sync check': [['opsctl sync check --json']],
  'watermarks list': [['opsctl watermarks list'], ['opsctl watermarks list --json']],
  'watermarks get': [['opsctl watermarks get dashboard_data']],
  'watermarks set': [['opsctl watermarks set dashboard_data 2026-11-30T00:00:00Z --yes']],
  'watermarks reset': [['opsctl watermarks reset dashboard_data', 'asks first; the next sync run reloads the table']],
  'costs check': [
    ['opsctl costs check', 'exit 1 when the projection crosses costs.failAtPercent (cron, the bot)'],
    ['opsctl costs check --fail-at 80 --json'],
  ],
  'costs estimate': [['opsctl costs estimate "SELECT artist_id FROM spotify_data.top_artists"', 'a free dry run']],
  'costs snapshot': [['opsctl costs snapshot', "store today's usage snapshot (daily from cron)"]],
  'migrate status': [['opsctl migrate status'], ['opsctl migrate status app --json']],
  'migrate up': [['opsctl migrate up app --dry-run', 'print the SQL, change nothing'], ['opsctl migrate up app']],
  'migrate down': [['opsctl migrate down app --steps 2 --dry-run'], ['opsctl migrate down app --steps 1 --yes']],
  'migrate validate': [['opsctl migrate validate', 'exit 1 on checksum drift, a missing file or a dirty migration']],
  'migrate create': [['opsctl migrate create app add_recommendation_indexes']],
  'migrate baseline': [
    ['opsctl migrate baseline app 20261201120000', 'an existing schema: files up to that version count as applied'],
  ],
  'migrate repair': [['opsctl migrate repair app --dry-run'], ['opsctl migrate repair app --completed --yes']],
  'backup create': [['opsctl backup create app']],
  'backup list': [['opsctl backup list'], ['opsctl backup list app --json']],
  'backup verify': [
    ['opsctl backup verify app', 'the newest backup of app: checksum, restore drill, row counts, content checksums'],
  ],
  'backup restore': [['opsctl backup restore app-20261201T020000000Z --to staging --yes']],
  'backup prune': [['opsctl backup prune --dry-run'], ['opsctl backup prune app --keep-last 3 --yes']],
  'backup freshness': [['opsctl backup freshness', 'exit 1 when the newest verified backup is too old or missing']],
  'loadtest history': [['opsctl loadtest history --profile recommendations --limit 10']],
  'loadtest compare': [
    ['opsctl loadtest compare', 'the newest run against the one before it'],
    ['opsctl loadtest compare 12 --baseline 9 --noise 5'],
  ],
  demo: [['opsctl demo'], ['OPSCTL_HOME=/tmp/opsctl-demo opsctl demo --json', 'elsewhere, for scripts']],
  'config show': [['opsctl config show'], ['opsctl config show --json']],
  'config check': [['opsctl -c /etc/opsctl/opsctl.config.json config check', 'exit 2 with every problem']],
  help: [['opsctl help etl run', 'the same as opsctl etl run --help']],
  version: [['opsctl version'], ['opsctl version --json']],
  completion: [
    ['opsctl completion bash > ~/.local/share/bash-completion/completions/opsctl'],
    ['opsctl completion zsh > "${fpath[1]}/_opsctl"'],
    ['opsctl completion fish > ~/.config/fish/completions/opsctl.fish'],
  ],
  console: [['opsctl console', 'the same as a bare opsctl on a terminal']],
};

/** Adds each EXAMPLES entry to its command's help, aligned as in the hand-written blocks. */
export function attachExamples(program: Command): void {
  for (const { path, command } of walkCommands(program)) {
    const examples = EXAMPLES[path.join(' ')];
    if (!examples) continue;
    command.addHelpText('after', `\n${formatExamples(examples)}`);
  }
}

export function formatExamples(examples: Array<[command: string, note?: string]>): string {
  const width = Math.max(...examples.map(([c]) => c.length));
  const lines = examples.map(([c, note]) => (note ? `  ${c.padEnd(width)}  # ${note}` : `  ${c}`));
  return `Examples:\n${lines.join('\n')}`;
}
