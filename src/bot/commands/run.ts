import { bold, code, esc, italic, lines, statusIcon } from '../format.js';
import { isRecord, list, str } from '../shape.js';
import { formatRun } from './runs.js';
import type { BotCommand } from './types.js';

/** The input `etl.run` gets for one pipeline (`opsctl etl run PIPELINE`). */
export function runInput(pipeline: string): Record<string, unknown> {
  return { pipelines: [pipeline] };
}

/**
 * `/run <pipeline>`: asks with an inline button, and only when it is pressed invokes `etl.run` for that pipeline.
 * Without an argument, or with an unknown pipeline, it lists the configured pipelines.
 */
export const runCommand: BotCommand = {
  name: 'run',
  description: 'Run a pipeline now (asks for confirmation)',
  usage: '/run <pipeline>',
  operations: ['etl.run'],
  async run(request) {
    const pipeline = request.args.split(/\s+/)[0] ?? '';
    const configured = Object.keys(request.config.pipelines ?? {});
    if (!pipeline || !configured.includes(pipeline)) return usage(pipeline, configured);
    return request.confirm({
      operation: 'etl.run',
      input: runInput(pipeline),
      question: `Run pipeline ${bold(pipeline)} now?\n${italic(`asked by ${request.user}`)}`,
      button: `▶ Run ${pipeline}`,
      started: `⏳ Running ${bold(pipeline)}… ${italic(`(confirmed by ${request.user})`)}`,
      finished: `▶ Ran ${bold(pipeline)} ${italic(`(confirmed by ${request.user})`)}`,
      done: (result) => formatRunResult(pipeline, result),
    });
  },
};

function usage(asked: string, configured: string[]): string {
  return lines(
    asked ? `${esc('Unknown pipeline')} ${code(asked)}.` : `${esc('Usage:')} ${code('/run <pipeline>')}`,
    configured.length ? `${esc('Pipelines:')} ${configured.map(code).join(', ')}` : esc('No pipelines are configured (pipelines in opsctl.config.json).'),
  );
}

/** What `etl.run` returned, for the chat: one line per pipeline run, plus notes. */
export function formatRunResult(pipeline: string, result: unknown): string {
  const executions = isRecord(result) && (isRecord(result.run) || typeof result.status === 'string') ? [result] : list(result, 'runs', 'executions', 'results', 'pipelines');
  const notes = executions.flatMap((e) => list(e, 'outcome.notes', 'notes')).filter((n): n is string => typeof n === 'string');
  const failed = executions.some((e) => str(e, 'status', 'run.status') === 'failed');
  return lines(
    `${statusIcon(failed ? 'failed' : executions.length ? 'succeeded' : undefined)} ${bold(`Pipeline ${pipeline}`)} ${esc(failed ? 'failed' : 'finished')}`,
    ...executions.map((e) => formatRun(e)),
    ...notes.slice(0, 5).map((n) => `• ${esc(n)}`),
  );
}
