import type { Command } from 'commander';
import type { ResultFor } from '../../../commands/catalog.js';
import { action } from '../action.js';
import { finiteNumber, text } from '../args.js';
import { duration, plural } from '../../format.js';
import type { TextOut } from '../output.js';

export function registerBot(program: Command): void {
  const bot = program
    .command('bot')
    .description('The on-call Telegram bot, with /health, /health/live, /health/ready and /metrics')
    .helpGroup('On call:');

  bot
    .command('start')
    .description(
      'Run the bot until SIGTERM/SIGINT: answers allowlisted chats, pushes alerts, serves health and metrics',
    )
    .option('--port <port>', 'port of the health and metrics server (default: bot.port, 8000)')
    .option('--host <address>', 'address the server listens on (default: bot.host, 0.0.0.0)')
    .option('--no-telegram', 'only the health and metrics server (no token needed)')
    .option('--no-alerts', 'do not push alerts')
    .addHelpText(
      'after',
      `
Needs TELEGRAM_BOT_TOKEN and OPSCTL_BOT_ALLOWED_CHATS (comma-separated chat ids); anyone else is refused and logged.
Commands in the chat: /status /runs /run <pipeline> /costs /watermarks /backups /migrations /help.
On SIGTERM or SIGINT it stops polling, lets the command in flight finish (bot.shutdownGraceSec) and exits 0.

Examples:
  opsctl bot start                         long polling; health on :8000
  opsctl bot start --no-telegram --port 0  only /health and /metrics, on a free port
  curl -s localhost:8000/metrics           what Prometheus scrapes`,
    )
    .action(
      action({
        operation: 'bot.start',
        runsUntilSignal: true,
        input: (_args, o) => ({
          telegram: o.telegram !== false,
          ...(o.alerts === false ? { alerts: false } : {}),
          port: finiteNumber(o.port, '--port'),
          host: text(o.host),
        }),
        render(r, out) {
          out.line(
            `bot stopped after ${duration(r.uptimeMs)}: ${plural(r.messagesHandled, 'message')} handled, ${plural(r.alertsSent, 'alert')} sent${r.cancelledInFlight ? `, ${plural(r.cancelledInFlight, 'command')} cancelled at the end of the grace period` : ''}`,
          );
        },
      }),
    );

  bot
    .command('status')
    .description('Is a bot running, and is it healthy? (asks its health endpoint); exit 1 when not')
    .option('--url <url>', "base URL of the bot's health server (default: the bot registered in the state store)")
    .option('--timeout <ms>', 'how long to wait for the health endpoint', '3000')
    .addHelpText('after', '\nExamples:\n  opsctl bot status\n  opsctl bot status --url http://10.0.0.5:8000 --json')
    .action(
      action({
        operation: 'bot.health',
        input: (_args, o) => ({ timeoutMs: finiteNumber(o.timeout, '--timeout'), url: text(o.url) }),
        render: renderBotHealth,
        exitCode: (r) => (r.status === 'up' ? 0 : 1),
      }),
    );
}

export function renderBotHealth(r: ResultFor<'bot.health'>, out: TextOut): void {
  const color = r.status === 'up' ? out.c.green : r.status === 'down' ? out.c.red : out.c.dim;
  out.kv([
    [
      'bot',
      color(
        r.status === 'absent'
          ? 'not running'
          : r.status === 'up'
            ? 'running, healthy'
            : r.status === 'down'
              ? 'running, NOT healthy'
              : r.status,
      ),
    ],
    ['health', r.location],
    ...(r.details.host
      ? [['process', `pid ${r.details.pid} on ${r.details.host} since ${r.details.startedAt}`] as [string, unknown]]
      : []),
    ...(r.details.telegram ? [['telegram', r.details.telegram] as [string, unknown]] : []),
    ...(r.version ? [['version', r.version] as [string, unknown]] : []),
    ...(r.latencyMs !== undefined ? [['latency', duration(r.latencyMs)] as [string, unknown]] : []),
  ]);
  if (r.error) out.line(`${out.c.red('error')}: ${r.error}`);
  if (r.hint) out.line(`${out.c.dim('hint')}: ${r.hint}`);
}
