import { latency, rate } from '../../../src/format.js';
import { invoke } from '../../operation.js';
import type { DemoStep } from '../step.js';

/** The demo endpoint's fixed port, so the workspace's profile names a real URL; another free port if it is taken. */
export const DEMO_LOADTEST_PORT = 47180;
const PATH = '/recommendations?user=42';

/**
 * Starts a local endpoint (5 ms per answer, like a warm recommendation service), load-tests it twice through the
 * workspace's `demo` profile, and compares the second run with the first. The endpoint lives only during this step.
 */
export const loadtestStep: DemoStep = {
  name: 'load test',
  configure(ws) {
    ws.loadtest = {
      profiles: {
        demo: {
          description: 'the demo endpoint that `opsctl demo` starts while it runs (5 ms per answer)',
          url: `http://127.0.0.1:${DEMO_LOADTEST_PORT}${PATH}`,
          model: 'closed',
          connections: 4,
          duration: '2s',
          warmup: '500ms',
          thresholds: ['p95<150ms', 'rps>50', 'errors<1%', 'non2xx=0'],
          gate: true,
        },
      },
    };
  },
  async run(ctx) {
    const { startSampleServer } = await import('../../../src/loadtest/sample-server.js');
    const { loadtestRun } = await import('../../loadtest/run.js');
    const { loadtestCompare } = await import('../../loadtest/compare.js');
    const server = await startSampleServer({ delayMs: 5, port: DEMO_LOADTEST_PORT }).catch(() =>
      startSampleServer({ delayMs: 5 }),
    );
    try {
      const url = server.port === DEMO_LOADTEST_PORT ? undefined : `${server.url.replace(/\/$/, '')}${PATH}`;
      const input = { profile: 'demo', ...(url ? { url } : {}) };
      const first = await invoke(loadtestRun, ctx, input);
      const second = await invoke(loadtestRun, ctx, input);
      const cmp = await invoke(loadtestCompare, ctx, { run: second.id, baseline: first.id });
      const verdict = cmp.verdict === 'same' ? 'same within noise' : cmp.verdict;
      const thresholds = second.passed
        ? 'thresholds passed'
        : `BREACHED ${second.thresholds
            .filter((t) => !t.passed)
            .map((t) => t.text)
            .join(', ')}`;
      if (!second.passed) throw new Error(`run ${second.id}: ${thresholds}`);
      return `run ${second.id}: ${rate(second.rps)}, p95 ${latency(second.latency.p95)}, ${thresholds}; against run ${first.id}: ${verdict} (opsctl loadtest history)`;
    } finally {
      await server.close();
    }
  },
};
