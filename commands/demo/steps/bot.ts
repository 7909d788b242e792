import type { DemoStep } from '../step.js';

/**
 * The bot needs Telegram, which the demo cannot reach: this step starts only the bot's health and metrics server
 * (no Telegram) on a free loopback port, scrapes /health and /metrics once, and stops it.
 */
export const botStep: DemoStep = {
  name: 'on-call bot: /health and /metrics',
  configure(ws) {
    ws.bot = { host: '127.0.0.1', allowedChats: [] };
  },
  async run(ctx) {
    const { startBotService } = await import('../../../src/bot/service.js');
    const service = await startBotService({ runtime: ctx, telegram: false, alerts: false, port: 0, host: '127.0.0.1' });
    try {
      const health = await fetch(`${service.url}/health`);
      const report = (await health.json()) as { status: string; reasons: string[]; state: { status: string } };
      if (health.status !== 200) throw new Error(`/health answered ${health.status}: ${report.reasons.join('; ')}`);
      const metrics = await fetch(`${service.url}/metrics`);
      const text = await metrics.text();
      if (metrics.status !== 200 || !/^opsctl_state_store_up 1$/m.test(text))
        throw new Error(`/metrics answered ${metrics.status} without opsctl_state_store_up 1`);
      const series = text.split('\n').filter((l) => l.startsWith('opsctl_')).length;
      return `/health ${report.status} (state store ${report.state.status}; Telegram not used in the demo), /metrics ${series} opsctl series, on ${service.url}`;
    } finally {
      await service.stop();
    }
  },
};
