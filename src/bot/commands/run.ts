import type { ResultFor } from '../../../commands/catalog.js';
import { bold, code, esc, italic, lines, statusIcon } from '../format.js';
import { formatRun } from './runs.js';
import type { BotCommand } from './types.js';

/**
 * `/run <pipeline>`: asks with an inline button, and only when it is pressed invokes `etl.run` for that pipeline.
 * Without an argument, or with an unknown pipeline, it lists the configured pipelines.
 */
export const runCommand: BotCommand = {
  name: 'run',
  description: 'Run a pipeline now (asks for confirmation)',
  usage: '/run <pipeline>',
  role: 'run',
  async run(request) {
    const pipeline = request.args.split(/\s+/)[0] ?? '';
    const configured = Object.keys(request.config.pipelines ?? {});
    if (!pipeline || !configured.includes(pipeline)) return usage(pipeline, configured);
    return request.confirm({
      operation: 'etl.run',
      input: { pipelines: [pipeline] },
      question: `Run pipeline ${bold(pipeline)} now?\n${italic(`asked by ${request.user}`)}`,
      button: `▶ Run ${pipeline}`,
      started: (by) => `⏳ Running ${bold(pipeline)}… ${italic(`(confirmed by ${by})`)}`,
      finished: (by) => `▶ Ran ${bold(pipeline)} ${italic(`(confirmed by ${by})`)}`,
      done: (result) => formatRunResult(pipeline, result),
    });
  },
};

function usage(asked: string, configured: string[]): string {
  return lines(
    asked ? `${esc('Unknown pipeline')} ${code(asked)}.` : `${esc('Usage:')} ${code('/run <pipeline>')}`,
    configured.length
      ? `${esc('Pipelines:')} ${configured.map(code).join(', ')}`
      : esc('No pipelines are configured (pipelines in opsctl.config.json).'),
  );
}

type EtlRunResult = ResultFor<'etl.run'>;

const VERDICT: Record<EtlRunResult['executions'][number]['status'], string> = {
  succeeded: 'finished',
  failed: 'failed',
  locked: 'is already running',
  skipped: 'is disabled',
};

/** What `etl.run` returned, for the chat: the run line, per-table trouble, the notes, and why it did not succeed. */
export function formatRunResult(pipeline: string, result: EtlRunResult): string {
  const execution = result.executions.find((e) => e.pipeline === pipeline) ?? result.executions[0];
  if (!execution) return lines(`${statusIcon(undefined)} ${bold(`Pipeline ${pipeline}`)} ${esc('did not run')}`);
  const icon = statusIcon(
    execution.status === 'succeeded' ? 'succeeded' : execution.status === 'skipped' ? undefined : 'failed',
  );
  const trouble = (execution.outcome?.tables ?? []).filter((t) => t.status === 'failed');
  return lines(
    `${icon} ${bold(`Pipeline ${pipeline}`)} ${esc(VERDICT[execution.status])}`,
    execution.run ? formatRun(execution.run) : undefined,
    ...trouble.map((t) => `• ${esc(`${t.table} failed: ${t.reason ?? ''}`.slice(0, 160))}`),
    ...(execution.outcome?.notes ?? []).slice(0, 5).map((n) => `• ${esc(n)}`),
    execution.status !== 'succeeded' && execution.error && !execution.run?.error
      ? italic(execution.error.slice(0, 200))
      : undefined,
  );
}
